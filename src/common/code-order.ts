// One string order for everything alignc sorts into a file, a hash or a listing: UTF-16 code units, the
// order JavaScript's `<` gives. `localeCompare` follows the user's locale (LANG, LC_ALL), where in Estonian
// z sorts before t: an export's file table and the checker's diagnostics came out in another order on
// another machine (huntG40 L1).

/** Compare two strings by UTF-16 code units: the same order on every machine and in every locale. */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
