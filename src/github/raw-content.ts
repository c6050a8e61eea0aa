/**
 * The text of a contents API answer in the raw media type. Octokit gives it as a string when
 * GitHub names a charset, else as bytes; anything else (a JSON listing) is not a file's text.
 */
export function rawText(data: unknown): string | undefined {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer || data instanceof Uint8Array) return new TextDecoder().decode(data);
  return undefined;
}
