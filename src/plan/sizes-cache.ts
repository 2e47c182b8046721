// A content-addressed cache of data sizes. A data node's size is a pure function of what the node
// computes (its hash: parameters including the recipe seed, inputs, file contents, engine epoch) and of the data layer's code that
// measures it, so the key is sha256(data-layer fingerprint, node hash; for a source, task or mixture also
// the recipe's tokenizers, which it is counted in: src/compile.ts): `alignc plan` of an unchanged
// recipe skips measuring, and an edit to a file or to src/data invalidates exactly what it must (src/common/rng.ts, the PRNG the data layer draws with, counts as src/data).
// (Before the seed entered every hash, recipes of different seeds over one corpus shared an entry:
// the quickstart's corpus showed 104,449 tokens under tsx and 104,329 compiled, whichever recipe
// had filled the src/ or the dist/ fingerprint's entry first.)
// Entries are one small JSON file each, written atomically (temp file + rename); an unreadable or
// malformed entry is a miss. ALIGNC_CACHE_DIR overrides the location (default ~/.cache/alignc).
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomicSync } from "../common/atomic-write.js";
import { readRegularText } from "../lang/read-file.js";
import { folderDigests } from "../common/folder-hash.js";
import { sha256Hex } from "./canonical.js";
import { repoRoot } from "../common/repo-root.js";
import type { DataSize } from "./types.js";

export function defaultCacheDir(): string {
  const env = process.env.ALIGNC_CACHE_DIR;
  if (env) return env;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "alignc");
}

/** Code outside src/data that decides what the data layer reads (audit33 M2): the PRNG every split, template
 * and mixture draw comes from, how a file is read and decoded, which files of a folder are templates,
 * the defaults a recipe leaves out. */
const DATA_CODE_OUTSIDE: [folder: string, file: RegExp][] = [
  ["common", /^(rng|template-folder)\.(js|ts)$/],
  ["lang", /^(read-file|utf8)\.(js|ts)$/],
  ["check", /^data-options\.(js|ts)$/],
];
/** The libraries the data layer renders, parses and tokenizes with: an `npm update` of one may change rows. */
export const DATA_LIBRARIES = ["handlebars", "@huggingface/jinja", "yaml", "csv-parse", "gpt-tokenizer"];

/** A library's installed version, read from its package.json in the nearest node_modules from `root` up,
 * as Node resolves it (alignc installed as a dependency finds its libraries hoisted); "?" where none is. */
export function installedVersion(root: string, name: string): string {
  for (let dir = root; ; dir = dirname(dir)) {
    try {
      const v = (JSON.parse(readRegularText(join(dir, "node_modules", name, "package.json"), 1 << 20, "package.json")) as { version?: unknown }).version;
      return typeof v === "string" ? v : "?";
    } catch {
      if (dirname(dir) === dir) return "?";
    }
  }
}

let fingerprint: string | undefined;
/** sha256 over the data layer's own code (src/data, as compiled or as TypeScript under tsx), the code
 * outside it that decides what it reads, and the versions of the libraries it reads with. */
export function dataLayerFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const src = join(dirname(fileURLToPath(import.meta.url)), "..");
  const code = [
    ...folderDigests(join(src, "data"), { dotFiles: true, include: (rel) => /\.(js|ts)$/.test(rel) && !rel.endsWith(".d.ts") }),
    ...DATA_CODE_OUTSIDE.flatMap(([folder, file]) => folderDigests(join(src, folder), { dotFiles: false, include: (rel) => file.test(rel) }).map(([rel, sha]): [string, string] => [`../${folder}/${rel}`, sha])),
    ...DATA_LIBRARIES.map((name): [string, string] => [`library ${name}`, installedVersion(repoRoot(), name)]),
  ];
  return (fingerprint = sha256Hex(code.map(([rel, sha]) => `${rel}:${sha}`).join("\n")));
}

/** An entry is a few hundred bytes of JSON; anything far larger is not one. */
const MAX_ENTRY_BYTES = 1 << 20;

/** What the data layer measured for a plan node, by (data-layer fingerprint, node hash), in `<root>/<kind>/`. */
export class MeasureCache<T> {
  private readonly dir: string;
  constructor(
    kind: string,
    private readonly valid: (v: unknown) => v is T,
    root: string = defaultCacheDir(),
  ) {
    this.dir = join(root, kind);
  }

  private path(nodeHash: string): string {
    return join(this.dir, `${sha256Hex(`${dataLayerFingerprint()}\n${nodeHash}`)}.json`);
  }

  get(nodeHash: string): T | undefined {
    try {
      // a regular file only: a FIFO put in the cache folder hung check and plan on the read
      const v: unknown = JSON.parse(readRegularText(this.path(nodeHash), MAX_ENTRY_BYTES, "cache entry"));
      return this.valid(v) ? v : undefined;
    } catch {
      return undefined;
    }
  }

  set(nodeHash: string, value: T): void {
    try {
      writeFileAtomicSync(this.path(nodeHash), JSON.stringify(value), { durable: false });
    } catch {
      // a cache that cannot be written only costs the next plan a measurement
    }
  }
}

const isSize = (v: unknown): v is DataSize => {
  const s = v as DataSize;
  return typeof s === "object" && s !== null && typeof s.examples === "number" && typeof s.tokens === "number" && typeof s.max_tokens === "number";
};

export class SizesCache extends MeasureCache<DataSize> {
  constructor(root?: string) {
    super("sizes", isSize, root);
  }
}
