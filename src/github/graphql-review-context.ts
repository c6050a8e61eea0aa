import type { ChangedFile, ChangedFileStatus } from "../migrations/relevant-files.js";
import { REPO_CONFIG_FILE } from "../config/repo-config.js";
import { graphqlQuery } from "./graphql-request.js";
import type { GitHubOctokit } from "./octokit.js";

/**
 * The first of a review's two GraphQL queries (issue 20 item 4): in one request, what the REST API
 * gave in four to six: the configuration files of the default branch (the repository's and the
 * organisation's `.github`), the pull request's head and its changed files, and the reviews and
 * review comments already on it (for the sealed markers of earlier findings). A list longer than
 * one page is marked incomplete, and the caller reads it through REST instead.
 */

/** GitHub's largest page in GraphQL connections. */
const PAGE = 100;

export const REVIEW_CONTEXT_QUERY = `
query ReviewContext($owner: String!, $repo: String!, $number: Int!, $config: String!) {
  viewer { login }
  repository(owner: $owner, name: $repo) {
    config: object(expression: $config) { ...ConfigBlob }
    pullRequest(number: $number) {
      headRefOid
      files(first: ${PAGE}) {
        pageInfo { hasNextPage }
        nodes { path changeType additions deletions }
      }
      reviews(first: ${PAGE}) {
        pageInfo { hasNextPage }
        nodes {
          body
          author { __typename login }
          viewerDidAuthor
          commit { oid }
          comments(first: ${PAGE}) {
            pageInfo { hasNextPage }
            nodes { body author { __typename login } viewerDidAuthor }
          }
        }
      }
    }
  }
  organisation: repository(owner: $owner, name: ".github") {
    config: object(expression: $config) { ...ConfigBlob }
  }
}
fragment ConfigBlob on GitObject {
  ... on Blob { oid byteSize isBinary isTruncated text }
}`;

export interface ConfigBlob {
  oid: string;
  byteSize: number;
  isBinary: boolean | null;
  isTruncated: boolean;
  text: string | null;
}

interface Author {
  __typename: string;
  login: string;
}

interface ReviewContextAnswer {
  viewer: { login: string } | null;
  repository: {
    config: ConfigBlob | Record<string, never> | null;
    pullRequest: {
      headRefOid: string;
      files: { pageInfo: { hasNextPage: boolean }; nodes: Array<{ path: string; changeType: string; additions: number; deletions: number }> | null } | null;
      reviews: {
        pageInfo: { hasNextPage: boolean };
        nodes: Array<{
          body: string;
          author: Author | null;
          viewerDidAuthor: boolean;
          commit: { oid: string } | null;
          comments: { pageInfo: { hasNextPage: boolean }; nodes: Array<{ body: string; author: Author | null; viewerDidAuthor: boolean }> | null };
        }> | null;
      } | null;
    } | null;
  } | null;
  organisation: { config: ConfigBlob | Record<string, never> | null } | null;
}

/**
 * A comment or review body and who wrote it, as REST names users (a bot's login ends in `[bot]`).
 * Only those the token's own actor wrote are kept (GraphQL's `viewerDidAuthor`: for an
 * installation token, the app's bot): another bot that copies our sealed comments is not us.
 */
export interface AuthoredBody {
  body: string;
  user: { login: string; type: string } | null;
}

export interface ReviewContext {
  headSha: string;
  /**
   * The bot this app's installation token acts as (`<slug>[bot]`: GraphQL's viewer for an
   * installation token is the app's bot), or undefined when the token is a person's.
   */
  botLogin: string | undefined;
  /** The configuration file of the default branch: the repository's, then the organisation's. */
  config: { repository: ConfigBlob | undefined; organisation: ConfigBlob | undefined };
  /** Every changed file (without patches), or undefined when GitHub lists more than one page, or a rename (REST names its old path). */
  files: ChangedFile[] | undefined;
  /** Every review comment on the pull request, or undefined when there are more than one page of them. */
  reviewComments: AuthoredBody[] | undefined;
  /** Every review's body on the pull request, or undefined when there are more than one page. */
  reviewBodies: Array<AuthoredBody & { commitId: string | undefined }> | undefined;
}

const STATUS: Record<string, ChangedFileStatus> = {
  ADDED: "added",
  DELETED: "removed",
  MODIFIED: "modified",
  RENAMED: "renamed",
  COPIED: "copied",
  CHANGED: "changed",
};

/** GraphQL names a bot `slug`, REST (and our markers' author check) `slug[bot]`. */
function restUser(author: Author | null): AuthoredBody["user"] {
  if (!author) return null;
  return author.__typename === "Bot" ? { login: `${author.login}[bot]`, type: "Bot" } : { login: author.login, type: author.__typename };
}

function blob(object: ConfigBlob | Record<string, never> | null | undefined): ConfigBlob | undefined {
  return object && "oid" in object ? (object as ConfigBlob) : undefined;
}

export async function readReviewContext(octokit: GitHubOctokit, pr: { owner: string; repo: string; pullNumber: number }): Promise<ReviewContext> {
  const answer = await graphqlQuery<ReviewContextAnswer>(octokit, {
    doing: "reading the pull request, its files and the configuration",
    query: REVIEW_CONTEXT_QUERY,
    variables: { owner: pr.owner, repo: pr.repo, number: pr.pullNumber, config: `HEAD:${REPO_CONFIG_FILE}` },
    // The organisation need not have a `.github` repository.
    acceptNotFound: ["organisation"],
  });
  const pull = answer.repository?.pullRequest;
  if (!pull) throw new Error(`GitHub's GraphQL answer has no pull request ${pr.owner}/${pr.repo}#${pr.pullNumber}`);
  const fileNodes = pull.files?.nodes ?? [];
  const filesComplete = pull.files !== null && !pull.files.pageInfo.hasNextPage && fileNodes.every((f) => f.changeType !== "RENAMED");
  const reviews = pull.reviews?.nodes ?? [];
  const reviewsComplete = pull.reviews !== null && !pull.reviews.pageInfo.hasNextPage;
  const commentsComplete = reviewsComplete && reviews.every((r) => !r.comments.pageInfo.hasNextPage);
  const viewer = answer.viewer?.login;
  return {
    headSha: pull.headRefOid,
    botLogin: viewer?.endsWith("[bot]") ? viewer : undefined,
    config: { repository: blob(answer.repository?.config), organisation: blob(answer.organisation?.config) },
    files: filesComplete
      ? fileNodes.map((f) => ({ path: f.path, status: STATUS[f.changeType] ?? "changed", additions: f.additions, deletions: f.deletions }))
      : undefined,
    reviewComments: commentsComplete
      ? reviews.flatMap((r) => (r.comments.nodes ?? []).filter((c) => c.viewerDidAuthor).map((c) => ({ body: c.body, user: restUser(c.author) })))
      : undefined,
    reviewBodies: reviewsComplete
      ? reviews.filter((r) => r.viewerDidAuthor).map((r) => ({ body: r.body, user: restUser(r.author), commitId: r.commit?.oid }))
      : undefined,
  };
}
