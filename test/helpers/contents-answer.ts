import { createHash } from "node:crypto";
import type { FakeReply } from "./fake-github.js";

/**
 * GitHub's JSON answer to "Get repository content" for one file (the default media type): its
 * metadata, `size` included, and its content in base64. `size` can be overridden to stand for
 * what GitHub states for a file whose content it leaves out (over 1 MB it sends none).
 */
export function fileContentAnswer(owner: string, repo: string, path: string, text: string, options: { size?: number; content?: string } = {}): FakeReply {
  const sha = createHash("sha1")
    .update(`blob ${Buffer.byteLength(text)}\0${text}`)
    .digest("hex");
  const self = `https://api.github.com/repos/${owner}/${repo}/contents/${path}`;
  const html = `https://github.com/${owner}/${repo}/blob/main/${path}`;
  return {
    status: 200,
    body: {
      type: "file",
      encoding: options.content === undefined ? "base64" : "none",
      size: options.size ?? Buffer.byteLength(text),
      name: path.slice(path.lastIndexOf("/") + 1),
      path,
      content: options.content ?? Buffer.from(text).toString("base64"),
      sha,
      url: self,
      git_url: `https://api.github.com/repos/${owner}/${repo}/git/blobs/${sha}`,
      html_url: html,
      download_url: `https://raw.githubusercontent.com/${owner}/${repo}/main/${path}`,
      _links: { self, git: `https://api.github.com/repos/${owner}/${repo}/git/blobs/${sha}`, html },
    },
  };
}
