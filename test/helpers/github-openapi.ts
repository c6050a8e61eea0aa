import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsPlugin from "ajv-formats";

/**
 * GitHub's own OpenAPI description (@octokit/openapi), used to check that every request the app
 * sends and every response a test makes GitHub give is one GitHub documents.
 */

export type SpecName = "api.github.com" | "ghes-3.19";

interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: object;
}

interface Operation {
  operationId: string;
  parameters?: Array<Parameter | { $ref: string }>;
  requestBody?: { required?: boolean; content: Record<string, { schema: object }> };
  responses: Record<string, { content?: Record<string, { schema?: object; examples?: Record<string, { value?: unknown; $ref?: string }> }> }>;
}

interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: {
    parameters: Record<string, Parameter>;
    examples: Record<string, { value: unknown }>;
    schemas: Record<string, object>;
  };
}

export interface MatchedOperation {
  method: string;
  template: string;
  operation: Operation;
}

const require = createRequire(import.meta.url);
// ajv-formats is CommonJS with a default export; under NodeNext its callable sits on `.default`.
const addFormats = addFormatsPlugin.default;

function pointerSegment(text: string): string {
  return text.replace(/~/g, "~0").replace(/\//g, "~1");
}

class OpenApiDescription {
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly routes: Array<{ regex: RegExp; template: string; params: number }>;

  constructor(
    readonly name: SpecName,
    readonly spec: Spec,
  ) {
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addSchema(spec, "gh");
    this.routes = Object.keys(spec.paths)
      .map((template) => ({
        template,
        params: (template.match(/\{/g) ?? []).length,
        regex: new RegExp(
          `^${template
            .split(/(\{[^}]+\})/)
            .map((part) => (part.startsWith("{") ? (part === "{path}" ? "(.+)" : "([^/]+)") : part.replace(/[.*+?^$()|[\]\\]/g, "\\$&")))
            .join("")}$`,
        ),
      }))
      .sort((a, b) => a.params - b.params || b.template.length - a.template.length);
  }

  find(method: string, path: string): MatchedOperation | undefined {
    const lower = method.toLowerCase();
    for (const route of this.routes) {
      const operation = this.spec.paths[route.template]?.[lower];
      if (operation && route.regex.test(path)) return { method: lower, template: route.template, operation };
    }
    return undefined;
  }

  private validator(pointer: string): ValidateFunction {
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `gh#${pointer}` });
      this.validators.set(pointer, validate);
    }
    return validate;
  }

  private errors(validate: ValidateFunction, value: unknown, what: string): string[] {
    if (validate(value)) return [];
    return (validate.errors ?? []).slice(0, 10).map((e) => `${what}${e.instancePath || ""} ${e.message ?? "is invalid"}`);
  }

  private parameters(op: MatchedOperation): Parameter[] {
    return (op.operation.parameters ?? []).map((p) => {
      if ("$ref" in p) {
        const name = p.$ref.split("/").pop() ?? "";
        const resolved = this.spec.components.parameters[name];
        if (!resolved) throw new Error(`unresolved parameter ${p.$ref}`);
        return resolved;
      }
      return p;
    });
  }

  /** Problems with a request's query string and JSON body, as sentences; empty when valid. */
  validateRequest(op: MatchedOperation, query: URLSearchParams, body: unknown): string[] {
    const where = `${op.method.toUpperCase()} ${op.template} (${op.operation.operationId})`;
    const problems: string[] = [];
    const queryParams = this.parameters(op).filter((p) => p.in === "query");
    for (const key of new Set(query.keys())) {
      const param = queryParams.find((p) => p.name === key);
      if (!param) {
        problems.push(`${where}: query parameter "${key}" is not documented`);
        continue;
      }
      const raw = query.get(key) ?? "";
      const type = (param.schema as { type?: string } | undefined)?.type;
      const value = type === "integer" || type === "number" ? Number(raw) : type === "boolean" ? raw === "true" : raw;
      const validate = this.ajv.compile(param.schema ?? {});
      if (!validate(value)) problems.push(`${where}: query parameter "${key}"=${raw} ${validate.errors?.[0]?.message ?? "is invalid"}`);
    }
    for (const param of queryParams) {
      if (param.required && !query.has(param.name)) problems.push(`${where}: query parameter "${param.name}" is required`);
    }
    const content = op.operation.requestBody?.content["application/json"];
    if (content) {
      if (body === undefined) {
        if (op.operation.requestBody?.required) problems.push(`${where}: a JSON body is required`);
      } else {
        const pointer = `/paths/${pointerSegment(op.template)}/${op.method}/requestBody/content/application~1json/schema`;
        problems.push(...this.errors(this.validator(pointer), body, `${where}: request body`));
      }
    } else if (body !== undefined && op.method !== "get") {
      problems.push(`${where}: sends a body, but the operation takes none`);
    }
    return problems;
  }

  /**
   * Problems with a response a test makes GitHub give. A status the description does not list
   * for the operation is a problem, unless the test says why GitHub sends it anyway
   * (`undocumented`); its body must then still be GitHub's error shape.
   */
  validateResponse(op: MatchedOperation, status: number, body: unknown, undocumented?: string): string[] {
    const where = `${op.method.toUpperCase()} ${op.template} (${op.operation.operationId}) → ${status}`;
    const listed = op.operation.responses[String(status)];
    if (!listed) {
      if (undocumented === undefined || status < 400) {
        return [`${where}: GitHub does not document this status for the operation`];
      }
      const shape = status === 422 ? "validation-error" : "basic-error";
      return this.errors(this.validator(`/components/schemas/${shape}`), body, `${where}: body`);
    }
    let pointer = `/paths/${pointerSegment(op.template)}/${op.method}/responses/${status}`;
    let response: Operation["responses"][string] | undefined = listed;
    const ref = (listed as { $ref?: string }).$ref;
    if (ref) {
      const name = ref.split("/").pop() ?? "";
      pointer = `/components/responses/${pointerSegment(name)}`;
      response = (this.spec.components as unknown as { responses: Record<string, Operation["responses"][string]> }).responses[name];
    }
    const content = response?.content?.["application/json"];
    if (!content?.schema) return body === undefined || body === "" ? [] : [`${where}: GitHub documents no body`];
    return this.errors(this.validator(`${pointer}/content/application~1json/schema`), body, `${where}: response body`);
  }

  /** GitHub's documented example response for an operation and status (deep copy). */
  example(method: string, template: string, status: number): unknown {
    const op = this.spec.paths[template]?.[method.toLowerCase()];
    const examples = op?.responses[String(status)]?.content?.["application/json"]?.examples;
    const first = examples ? Object.values(examples)[0] : undefined;
    if (!first) throw new Error(`No documented example for ${method} ${template} ${status}`);
    const value = first.$ref ? this.spec.components.examples[first.$ref.split("/").pop() ?? ""]?.value : first.value;
    if (value === undefined) throw new Error(`Unresolved example for ${method} ${template} ${status}`);
    return structuredClone(value);
  }
}

const loaded = new Map<SpecName, OpenApiDescription>();

/** Loads one description (only that JSON file, not the package's every variant), once per test file. */
export function openApi(name: SpecName = "api.github.com"): OpenApiDescription {
  let description = loaded.get(name);
  if (!description) {
    description = new OpenApiDescription(name, require(`@octokit/openapi/generated/${name}.json`) as Spec);
    loaded.set(name, description);
  }
  return description;
}

export type { OpenApiDescription };

/**
 * GitHub's description marks fields such as a check run's `conclusion` `nullable` with an `enum`
 * that does not list null; Ajv then accepts null for the type but not for the enum, and says
 * "must be equal to one of the allowed values" for a value GitHub documents (an in-progress check
 * run has no conclusion). That error alone, on a null value, is dropped; a null where the
 * description does not allow one also fails the type ("must be string") and is kept.
 */
export function withoutNullEnumFalsePositives(problems: string[], body: unknown): string[] {
  const enumError = /: (?:response|request) body(\S*) must be equal to one of the allowed values$/;
  return problems.filter((problem) => {
    const match = enumError.exec(problem);
    if (!match) return true;
    const pointer = match[1] ?? "";
    if (valueAt(body, pointer) !== null) return true;
    const prefix = problem.slice(0, match.index);
    return problems.some((other) => other !== problem && other.startsWith(prefix) && other.includes(` body${pointer} must be `) && !enumError.test(other));
  });
}

function valueAt(value: unknown, pointer: string): unknown {
  let current = value;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
