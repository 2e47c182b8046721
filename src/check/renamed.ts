// Properties renamed because one name meant two things: the old name gets a hint that says what it is
// called now and why, wherever a recipe (or an `extends` override) still writes it.

/** keyword → old property name → [new name, why]. */
const RENAMED: Readonly<Record<string, Readonly<Record<string, readonly [string, string]>>>> = {
  // a stage's max_length counts tokens and truncates; a mixture's counted response characters and
  // dropped rows (lima.align used both, a few lines apart)
  mixture: {
    max_length: ["max_response_chars", "it counts a response's characters and drops the row; a stage's `max_length` counts tokens and truncates"],
    min_length: ["min_response_chars", "it counts a response's characters"],
  },
};

/** The hint for `key` on a `keyword` block when it is an old name, else undefined. */
export function renamedHint(keyword: string, key: string): string | undefined {
  const r = RENAMED[keyword]?.[key];
  return r ? `a ${keyword}'s \`${key}\` is now \`${r[0]}\` (${r[1]})` : undefined;
}
