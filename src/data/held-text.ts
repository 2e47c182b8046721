// The text a read may hold in memory: a quarter of Node's heap (rows parsed into objects take one to two
// times their text, and every later step keeps its own copy). The JSON Lines reader and the Parquet
// decoder hold their rows to it, and say alike where a file passes it.
import { getHeapStatistics } from "node:v8";

export const HELD_CHARS = Math.floor(getHeapStatistics().heap_size_limit / 4);

const chars = (n: number): string => (n < 1 << 20 ? `${n.toLocaleString("en-US")} characters` : `${(n / (1 << 20)).toFixed(n < 10 << 20 ? 1 : 0)} Mi characters`);

/** What a read that passed `limit` says: `upTo` is where it stopped ("this line", "row 5"). */
export function tooMuchText(upTo: string, held: number, limit: number, rows: number): string {
  return `the rows up to ${upTo} hold ${chars(held)} of text, more than alignc holds in memory (${chars(limit)}, a quarter of Node's heap; ${rows.toLocaleString("en-US")} rows read)`;
}
