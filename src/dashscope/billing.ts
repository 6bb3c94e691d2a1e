/** Characters DashScope bills for `text`: one each, two for a CJK ideograph (spec, `usage.characters`). */
export function billableChars(text: string): number {
  let count = 0;
  for (const ch of text) count += /\p{Script=Han}/u.test(ch) ? 2 : 1;
  return count;
}
