import { schema as githubSchema } from "@octokit/graphql-schema";
import type { GraphQLError } from "graphql";
import { buildSchema, execute, parse, validate, type ExecutionResult, type GraphQLSchema } from "graphql";

/**
 * GitHub's GraphQL API for the fake GitHub: every query the app sends is validated against GitHub's
 * published schema (@octokit/graphql-schema) and executed against it, with resolvers over the
 * state the test gives (repositories, their files at each commit, pull requests). So the query,
 * its variables and the answer's shape are all GitHub's: an unknown field, a wrong argument or a
 * field the schema types differently fails the test (as a problem of the fake), and the answer
 * has exactly the fields asked for. Only the fields the app reads are resolved; asking for
 * another one fails loudly (`not resolved by the fake`), never with an invented value.
 */

let cachedSchema: GraphQLSchema | undefined;

/**
 * GitHub's schema, built once per process (about a second: it is large). Its published SDL
 * declares two fields of EnterpriseOwnerInfo twice, which graphql-js's SDL check refuses; the
 * types themselves are sound, so the check is skipped (queries are still validated in full).
 */
export function githubGraphQLSchema(): GraphQLSchema {
  cachedSchema ??= buildSchema(githubSchema.idl, { assumeValidSDL: true });
  return cachedSchema;
}

export interface FakeAuthor {
  login: string;
  /** A GitHub App's bot (GraphQL names it without `[bot]`). */
  bot?: boolean;
}

export interface FakeReview {
  body: string;
  author: FakeAuthor;
  commitOid?: string;
  comments?: Array<{ body: string; author: FakeAuthor }>;
}

export interface FakeChangedFile {
  path: string;
  changeType: "ADDED" | "CHANGED" | "COPIED" | "DELETED" | "MODIFIED" | "RENAMED";
  additions: number;
  deletions: number;
}

export interface FakePullRequest {
  headSha: string;
  files: FakeChangedFile[];
  reviews: FakeReview[];
}

export interface FakeRepository {
  /** The files of the default branch (`HEAD:` expressions), by path. */
  defaultBranch: Record<string, string>;
  /** The files of each commit, by sha then path. */
  commits: Record<string, Record<string, string>>;
  pullRequests: Record<number, FakePullRequest>;
}

export interface FakeGraphQLState {
  /** By "owner/name". A repository not here does not exist (NOT_FOUND, as GitHub answers). */
  repositories: Map<string, FakeRepository>;
  /** Whose token asks (`viewerDidAuthor`): this app's bot by default. */
  viewer: FakeAuthor;
}

/** An error GitHub gives with a `type` (NOT_FOUND for a missing repository). */
class TypedError extends Error {
  constructor(
    message: string,
    readonly type: string,
  ) {
    super(message);
  }
}

const sha1Like = (text: string) => {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) >>> 0;
  return hash.toString(16).padStart(40, "0");
};

function page<T>(
  items: readonly T[],
  args: { first?: number },
): { nodes: T[]; totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null } } {
  const first = args.first ?? 100;
  return {
    nodes: items.slice(0, first),
    totalCount: items.length,
    pageInfo: { hasNextPage: items.length > first, endCursor: items.length > 0 ? "cursor" : null },
  };
}

const author = (who: FakeAuthor) => ({ __typename: who.bot ? "Bot" : "User", login: who.login });

/** The git object an expression (`<rev>:<path>`) names in `repository`, as GitHub's resolvers give it. */
function objectAt(repository: FakeRepository, expression: string): unknown {
  const colon = expression.indexOf(":");
  const rev = expression.slice(0, colon);
  const path = expression.slice(colon + 1).replace(/\/+$/, "");
  const files = rev === "HEAD" ? repository.defaultBranch : repository.commits[rev];
  if (files === undefined) return null;
  const text = files[path];
  if (text !== undefined) {
    const byteSize = Buffer.byteLength(text);
    return { __typename: "Blob", oid: sha1Like(text), byteSize, isBinary: false, isTruncated: false, text };
  }
  const prefix = path === "" ? "" : `${path}/`;
  const children = new Map<string, "blob" | "tree">();
  for (const file of Object.keys(files)) {
    if (!file.startsWith(prefix)) continue;
    const rest = file.slice(prefix.length);
    const slash = rest.indexOf("/");
    children.set(slash === -1 ? rest : rest.slice(0, slash), slash === -1 ? "blob" : "tree");
  }
  if (children.size === 0) return null;
  return {
    __typename: "Tree",
    entries: [...children].map(([name, type]) => ({
      name,
      path: `${prefix}${name}`,
      type,
      mode: type === "tree" ? 0o40000 : 0o100644,
      size: type === "blob" ? Buffer.byteLength(files[`${prefix}${name}`] ?? "") : 0,
    })),
  };
}

const same = (a: FakeAuthor, b: FakeAuthor) => a.login === b.login && (a.bot ?? false) === (b.bot ?? false);

function pullRequestObject(pull: FakePullRequest, viewer: FakeAuthor) {
  return {
    headRefOid: pull.headSha,
    files: (args: { first?: number }) => page(pull.files, args),
    reviews: (args: { first?: number }) =>
      page(
        pull.reviews.map((review) => ({
          body: review.body,
          author: author(review.author),
          viewerDidAuthor: same(review.author, viewer),
          commit: review.commitOid ? { oid: review.commitOid } : null,
          comments: (commentArgs: { first?: number }) =>
            page(
              (review.comments ?? []).map((c) => ({ body: c.body, author: author(c.author), viewerDidAuthor: same(c.author, viewer) })),
              commentArgs,
            ),
        })),
        args,
      ),
  };
}

function rootValue(state: FakeGraphQLState) {
  return {
    // GitHub names an installation token's viewer by its bot's REST login (`<slug>[bot]`).
    viewer: { login: state.viewer.bot ? `${state.viewer.login}[bot]` : state.viewer.login },
    repository: (args: { owner: string; name: string }) => {
      const repository = state.repositories.get(`${args.owner}/${args.name}`);
      if (!repository) throw new TypedError(`Could not resolve to a Repository with the name '${args.owner}/${args.name}'.`, "NOT_FOUND");
      return {
        object: (objectArgs: { expression: string }) => objectAt(repository, objectArgs.expression),
        pullRequest: (pullArgs: { number: number }) => {
          const pull = repository.pullRequests[pullArgs.number];
          if (!pull) throw new TypedError(`Could not resolve to a PullRequest with the number of ${pullArgs.number}.`, "NOT_FOUND");
          return pullRequestObject(pull, state.viewer);
        },
      };
    },
  };
}

/** Fails any field the fake does not resolve, instead of answering null for it. */
function fieldResolver(source: unknown, args: Record<string, unknown>, _context: unknown, info: { fieldName: string; parentType: { name: string } }): unknown {
  if (source === null || typeof source !== "object" || !(info.fieldName in source)) {
    if (info.fieldName === "__typename") return undefined;
    throw new Error(`${info.parentType.name}.${info.fieldName} is not resolved by the fake GitHub`);
  }
  const value = (source as Record<string, unknown>)[info.fieldName];
  return typeof value === "function" ? (value as (a: unknown) => unknown)(args) : value;
}

export interface GraphQLAnswer {
  /** GitHub's answer body: `data`, and `errors` when any. */
  body: { data?: unknown; errors?: Array<{ type?: string; message: string; path?: ReadonlyArray<string | number> }> };
  /** Where the query or the answer broke GitHub's schema: the fake's problems (the test fails). */
  problems: string[];
}

/** Validates and executes one GraphQL request against GitHub's schema and the state. */
export function answerGraphQL(state: FakeGraphQLState, request: unknown): GraphQLAnswer {
  const { query, variables } = (request ?? {}) as { query?: unknown; variables?: Record<string, unknown> };
  if (typeof query !== "string")
    return { body: { errors: [{ message: "A query attribute must be specified and must be a string." }] }, problems: ["a GraphQL request without a query"] };
  let schema;
  try {
    schema = githubGraphQLSchema();
  } catch (error) {
    return {
      body: { errors: [{ message: "the fake could not build GitHub's schema" }] },
      problems: [`GitHub's GraphQL schema did not build: ${(error as Error).message}`],
    };
  }
  let document;
  try {
    document = parse(query);
  } catch (error) {
    const message = (error as Error).message;
    return { body: { errors: [{ message }] }, problems: [`GraphQL query does not parse: ${message}`] };
  }
  const invalid = validate(schema, document);
  if (invalid.length > 0) {
    const messages = invalid.map((e) => e.message);
    return { body: { errors: messages.map((message) => ({ message })) }, problems: messages.map((m) => `GraphQL query breaks GitHub's schema: ${m}`) };
  }
  const result = execute({
    schema,
    document,
    rootValue: rootValue(state),
    variableValues: variables ?? {},
    fieldResolver: fieldResolver as never,
  }) as ExecutionResult;
  if ("then" in result) return { body: { errors: [{ message: "asynchronous resolver" }] }, problems: ["the fake's resolvers must be synchronous"] };
  const problems: string[] = [];
  const errors = (result.errors ?? []).map((error: GraphQLError) => {
    const typed = error.originalError instanceof TypedError ? error.originalError.type : undefined;
    if (typed === undefined) problems.push(`GraphQL execution failed: ${error.message}${error.path ? ` (at ${error.path.join(".")})` : ""}`);
    return { ...(typed ? { type: typed } : {}), message: error.message, ...(error.path ? { path: error.path } : {}) };
  });
  return { body: { data: result.data ?? null, ...(errors.length > 0 ? { errors } : {}) }, problems };
}
