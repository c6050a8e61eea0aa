// @ts-check
import path from "node:path";

/**
 * `layers/no-upward-import`: a module of src/ imports only from its own unit (a folder of src/, or
 * a file at its root) and from units in a layer below its own. The layers are data, passed as the
 * rule's options from eslint.config.js, so the order is written down in one place and this file
 * only applies it.
 *
 * Why a rule and not `no-restricted-imports`: the project imports by relative path, so the same
 * folder is `../review/x.js` from one file and `../../review/x.js` from another; a rule that
 * resolves the path against the file can name the layers, say which way the import runs and honour
 * an allow-list of single edges.
 */

/**
 * @typedef {{ name: string, modules: string[] }} Layer
 *   `modules`: folder names under the root (`"review"`) or files at the root (`"app.ts"`).
 * @typedef {{ from: string, to: string, fix: string }} AllowedEdge
 *   Paths relative to the project, `.ts` spelled as in the tree.
 * @typedef {{ root: string, layers: Layer[], allow?: AllowedEdge[] }} Options
 */

/** The unit a path belongs to: its first folder under the root, or the file itself at the root. */
function unitOf(/** @type {string} */ relativeToRoot) {
  return relativeToRoot.split("/")[0] ?? "";
}

/** Source files are imported as `.js` (NodeNext); the tree holds `.ts`. */
function asSourcePath(/** @type {string} */ file) {
  return file.replace(/\.js$/, ".ts");
}

/** @type {import("eslint").Rule.RuleModule} */
const noUpwardImport = {
  meta: {
    type: "problem",
    docs: { description: "Imports in src/ point down the layers written in eslint.config.js, never up, never sideways." },
    schema: [
      {
        type: "object",
        properties: {
          root: { type: "string" },
          layers: {
            type: "array",
            items: {
              type: "object",
              properties: { name: { type: "string" }, modules: { type: "array", items: { type: "string" } } },
              required: ["name", "modules"],
              additionalProperties: false,
            },
          },
          allow: {
            type: "array",
            items: {
              type: "object",
              properties: { from: { type: "string" }, to: { type: "string" }, fix: { type: "string" } },
              required: ["from", "to", "fix"],
              additionalProperties: false,
            },
          },
        },
        required: ["root", "layers"],
        additionalProperties: false,
      },
    ],
    messages: {
      upward: "{{from}} (layer {{fromLayer}}) must not import {{to}} (layer {{toLayer}}, above it). Layers, top first: {{order}}.",
      sideways: "{{from}} and {{to}} are both in layer {{fromLayer}}: units of one layer do not import each other. Move the shared code down a layer.",
      unassigned: "{{unit}} is in no layer: add it to the layers in eslint.config.js.",
    },
  },
  create(context) {
    const options = /** @type {Options} */ (context.options[0]);
    const root = path.resolve(context.cwd, options.root);
    const file = path.resolve(context.cwd, context.filename);
    const fromRelative = path.relative(root, file).split(path.sep).join("/");
    if (fromRelative.startsWith("..") || path.isAbsolute(fromRelative)) return {};

    /** @type {Map<string, number>} */
    const layerOf = new Map();
    options.layers.forEach((layer, index) => {
      for (const module of layer.modules) layerOf.set(module, index);
    });
    const allowed = new Set((options.allow ?? []).map((edge) => `${edge.from} -> ${edge.to}`));
    const order = options.layers.map((layer) => layer.name).join(" > ");
    const project = (/** @type {string} */ absolute) => path.relative(context.cwd, absolute).split(path.sep).join("/");

    const fromUnit = unitOf(fromRelative);
    const fromLayer = layerOf.get(fromUnit);

    /** @param {import("estree").Node} node @param {unknown} specifier */
    function check(node, specifier) {
      if (typeof specifier !== "string" || !specifier.startsWith(".") || fromLayer === undefined) return;
      const target = path.resolve(path.dirname(file), specifier);
      const toRelative = asSourcePath(path.relative(root, target).split(path.sep).join("/"));
      if (toRelative.startsWith("..")) return;
      const toUnit = unitOf(toRelative);
      if (toUnit === fromUnit) return;
      const toLayer = layerOf.get(toUnit);
      if (toLayer === undefined) {
        context.report({ node, messageId: "unassigned", data: { unit: `${options.root}/${toUnit}` } });
        return;
      }
      if (toLayer > fromLayer) return;
      if (allowed.has(`${project(file)} -> ${asSourcePath(project(target))}`)) return;
      const names = {
        from: `${options.root}/${fromUnit}`,
        to: `${options.root}/${toUnit}`,
        fromLayer: options.layers[fromLayer]?.name ?? "",
        toLayer: options.layers[toLayer]?.name ?? "",
        order,
      };
      context.report({ node, messageId: toLayer === fromLayer ? "sideways" : "upward", data: names });
    }

    return {
      Program(node) {
        if (fromLayer === undefined) context.report({ node, messageId: "unassigned", data: { unit: `${options.root}/${fromUnit}` } });
      },
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === "Literal" && check(node.source, node.source.value),
      // `import("../x.js").T` in a type position (typescript-eslint's node, not in estree's types):
      // its `source` is the string; versions before `source` had `argument`, a literal type.
      /** @param {import("estree").Node & { source?: { type: string, value?: unknown }, argument?: { type: string, literal?: { value?: unknown } } }} node */
      TSImportType(node) {
        if (node.source) {
          if (node.source.type === "Literal") check(node, node.source.value);
        } else if (node.argument?.type === "TSLiteralType") check(node, node.argument.literal?.value);
      },
    };
  },
};

export default { meta: { name: "layers" }, rules: { "no-upward-import": noUpwardImport } };
