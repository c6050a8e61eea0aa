import { graphqlQuery } from "./graphql-request.js";
import type { GitHubOctokit } from "./octokit.js";

/**
 * One entry of a folder listing, as the contents API gives it. The review's gather plan reads
 * entries of this shape from any head (GitHub, a checkout); it is declared here rather than
 * imported from review/ because src/github/ sits below the review.
 */
export interface HeadFolderEntry {
  name: string;
  path: string;
  size: number;
  type: "file" | "dir" | "symlink" | "submodule";
}

/**
 * The second of a review's GraphQL queries (issue 20 item 4): folders of the head commit and the
 * files a review reads, all in one request, each under its own alias. A folder is a git tree, so
 * every entry comes back however many there are (the contents API stops at 1,000); a file is a
 * blob with its size and text. A path that is not there is null: no error, nothing to catch.
 */

export interface HeadBlob {
  byteSize: number;
  /** The file's text; undefined when GitHub cut it (a large file) or it is binary. */
  text: string | undefined;
}

export interface HeadFiles {
  /** Folder → its entries; none when the folder is not there. */
  folders: Map<string, HeadFolderEntry[]>;
  /** Path → the blob; absent paths map to undefined. */
  files: Map<string, HeadBlob | undefined>;
}

interface TreeEntryAnswer {
  name: string;
  path: string | null;
  type: string;
  mode: number;
  size: number;
}

type ObjectAnswer =
  | { __typename: "Tree"; entries: TreeEntryAnswer[] | null }
  | { __typename: "Blob"; byteSize: number; isBinary: boolean | null; isTruncated: boolean; text: string | null }
  | { __typename: string };

/** git's mode of a symbolic link (0o120000). */
const SYMLINK_MODE = 0o120000;

function entryType(entry: TreeEntryAnswer): HeadFolderEntry["type"] {
  if (entry.type === "tree") return "dir";
  if (entry.type === "commit") return "submodule";
  return entry.mode === SYMLINK_MODE ? "symlink" : "file";
}

/** A GraphQL string literal (JSON's escaping is GraphQL's for these characters). */
const literal = (text: string) => JSON.stringify(text);

/** The query for `folders` and `files` at `sha`, with its aliases in order (f0…, b0…). */
export function headFilesQuery(sha: string, folders: readonly string[], files: readonly string[]): string {
  const expression = (path: string) => literal(`${sha}:${path}`);
  const lines = [
    ...folders.map((folder, i) => `    f${i}: object(expression: ${expression(folder)}) { __typename ... on Tree { entries { name path type mode size } } }`),
    ...files.map((file, i) => `    b${i}: object(expression: ${expression(file)}) { __typename ... on Blob { byteSize isBinary isTruncated text } }`),
  ];
  return `query HeadFiles($owner: String!, $repo: String!) {\n  repository(owner: $owner, name: $repo) {\n${lines.join("\n")}\n  }\n}`;
}

export async function readHeadFiles(
  octokit: GitHubOctokit,
  at: { owner: string; repo: string; sha: string },
  folders: readonly string[],
  files: readonly string[],
): Promise<HeadFiles> {
  const answer = await graphqlQuery<{ repository: Record<string, ObjectAnswer | null> | null }>(octokit, {
    doing: `reading ${folders.length} folder(s) and ${files.length} file(s) at the head commit`,
    query: headFilesQuery(at.sha, folders, files),
    variables: { owner: at.owner, repo: at.repo },
  });
  const objects = answer.repository ?? {};
  const result: HeadFiles = { folders: new Map(), files: new Map() };
  folders.forEach((folder, i) => {
    const object = objects[`f${i}`];
    const entries = object && object.__typename === "Tree" && "entries" in object ? (object.entries ?? []) : [];
    result.folders.set(
      folder,
      entries.map((entry) => ({
        name: entry.name,
        path: entry.path ?? (folder ? `${folder}/${entry.name}` : entry.name),
        size: entry.size,
        type: entryType(entry),
      })),
    );
  });
  files.forEach((file, i) => {
    const object = objects[`b${i}`];
    if (!object || object.__typename !== "Blob" || !("byteSize" in object)) {
      result.files.set(file, undefined);
      return;
    }
    const whole = object.text !== null && !object.isTruncated && object.isBinary !== true;
    result.files.set(file, { byteSize: object.byteSize, text: whole ? (object.text ?? undefined) : undefined });
  });
  return result;
}
