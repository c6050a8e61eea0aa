/**
 * A whole number with its thousands grouped by commas, "2,500", as `n.toLocaleString("en-US")`
 * writes it, without Intl: the first toLocaleString call of a process loads ICU's number
 * formatting data, measured at ~20 ms CPU and ~8 MB, which was a fifth of a warm `review`'s work
 * (issue 20). Numbers that are not safe integers (fractions, -0, ±Infinity, NaN) keep
 * toLocaleString: the report writes counts, and those rarely if ever.
 */
export function groupedDigits(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString("en-US");
  const digits = String(Math.abs(n));
  let out = digits.slice(0, digits.length % 3 || 3);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}
