// The field names a rankings or pairs source reads when its recipe names none: the kinds table's
// defaults (src/check/kinds/source.ts), which the checker fills into the source's plan node. Tests
// that call readRankings directly pass these, so they read rows as `alignc data` would.
import { KINDS } from "../../src/check/kinds.js";
import type { RankingSpec } from "../../src/data/rankings.js";

const props = KINDS.source!.jsonl!.props;
const dflt = (k: string): string => props[k]!.default as string;

export const SOURCE_FIELDS: Pick<RankingSpec, "responses" | "ranking" | "chosen" | "rejected"> = {
  responses: dflt("responses"),
  ranking: dflt("ranking"),
  chosen: dflt("chosen"),
  rejected: dflt("rejected"),
};
