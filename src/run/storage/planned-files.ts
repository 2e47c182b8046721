// The data and template files a plan hashed, held to those hashes while the run uses them (weights
// files are checked where they are loaded: src/run/nodes/models.ts).
// A node's hash covers the content of every file it reads, but the data layer reads them after the
// plan hashed them (at the start of the run, or, for data built from a draw, when the stage runs):
// an edit in between would be read, trained on and cached under the hash of the content the plan
// saw, a cache entry that every later run with the old content would reuse. So before a node's entry
// is stored, every file of the node and of the nodes it reads must still hash as planned; a file
// changed since is AL5004 and the node is not cached. Each file is hashed once and then re-hashed
// only when its stat data (device, inode, size, mtime, ctime in ns) changed: any write changes ctime.
// A `dir(…)` folder is listed again too: a template added to it after the plan listed the folder
// would be read by the data layer (which lists the folder itself) and trained on, unhashed.
import { statSync } from "node:fs";
import { templateNames } from "../../common/template-folder.js";
import { resolve } from "node:path";
import type { Json, Plan } from "../../plan/types.js";
import { hashRegularFile } from "../../lang/read-file.js";
import { lastReadDigest } from "../../lang/read-digests.js";
import { DiagnosticError } from "../../lang/diagnostic.js";

export class PlannedFiles {
  /** path (as the plan lists it) → the sha256 the plan recorded */
  private readonly planned = new Map<string, string>();
  /** path → the stat data it had when it last hashed as planned */
  private readonly verified = new Map<string, string>();

  /** node id → the `dir(…)` folders its params name (relative to the recipe, as the plan lists them) */
  private readonly folders = new Map<string, string[]>();

  constructor(
    private readonly plan: Plan,
    private readonly dir: string, // the recipe's folder: plan paths are relative to it
  ) {
    for (const n of plan.nodes) {
      for (const f of n.files) this.planned.set(f.path, f.sha256);
      const dirs = new Set<string>();
      folderParams(n.params, dirs);
      if (dirs.size) this.folders.set(n.id, [...dirs].sort());
    }
  }

  /** Throws AL5004 (DiagnosticError at the file) when a data or template file of these nodes no longer hashes as planned. */
  check(nodeIds: Iterable<string>): void {
    const ids = new Set(nodeIds);
    for (const n of this.plan.nodes) {
      // a weights file is held to its sha256 each time a stage loads it (AL5002 at the model's `weights`)
      if (!ids.has(n.id) || n.kind === "model") continue;
      for (const f of n.files) this.checkFile(f.path, n.block ?? n.id);
      for (const d of this.folders.get(n.id) ?? []) this.checkFolder(d, n.block ?? n.id);
    }
  }

  /** Every template the data layer would read from the folder now (its top-level `.hbs` files:
   * src/data/flan/loaders.ts) must be one the plan listed; a removed or changed one fails checkFile.
   * Other entries (a README, an editor's backup `a.hbs~`, a run folder) are never read: not checked. */
  private checkFolder(rel: string, reader: string): void {
    const abs = resolve(this.dir, rel);
    let now: string[];
    try {
      now = templateNames(abs); // the loader's own rule
    } catch (err) {
      throw changed(abs, reader, `it can no longer be listed (${(err as Error).message.split("\n")[0]})`);
    }
    const added = now.map((f) => (rel === "." ? f : `${rel}/${f}`)).filter((p) => !this.planned.has(p));
    if (added.length) throw changed(abs, reader, `${added.length === 1 ? "an entry" : `${added.length} entries`} the plan did not list: ${added.slice(0, 3).join(", ")}${added.length > 3 ? ", …" : ""}`, "this folder");
  }

  private checkFile(path: string, reader: string): void {
    const abs = resolve(this.dir, path);
    const sha = this.planned.get(path)!;
    // what the data layer read, as it read it: a file changed during the read and changed back since hashes
    // as planned on disk, but it is not what the stages were given (hunt37c)
    const read = lastReadDigest(abs);
    if (read !== undefined && read !== sha) throw changed(abs, reader, `read as sha256 ${read.slice(0, 12)}… while this run prepared its data, ${sha.slice(0, 12)}… in the plan: it changed after the plan was made (a file rewritten while it was read, even back to the planned bytes since)`);
    let stamp: string;
    let now: string;
    try {
      const s = statSync(abs, { bigint: true });
      stamp = `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
      if (this.verified.get(path) === stamp) return;
      now = hashRegularFile(abs);
    } catch (err) {
      throw changed(abs, reader, `it can no longer be read (${(err as Error).message.split("\n")[0]})`);
    }
    if (now !== sha) throw changed(abs, reader, `sha256 ${sha.slice(0, 12)}… in the plan, ${now.slice(0, 12)}… now`);
    this.verified.set(path, stamp);
  }
}

/** The `{ $dir }` values of a node's params (lower.ts writes a `dir(…)` input so). */
function folderParams(v: Json, out: Set<string>): void {
  if (v === null || typeof v !== "object") return;
  if (Array.isArray(v)) return v.forEach((x) => folderParams(x, out));
  if (typeof v.$dir === "string" && v.missing !== true) out.add(v.$dir);
  for (const x of Object.values(v)) folderParams(x, out);
}

function changed(file: string, reader: string, why: string, what = "this file"): DiagnosticError {
  return new DiagnosticError([
    {
      code: "AL5004",
      severity: "error",
      message: `${what}, read by \`${reader}\`, changed while the run used it (${why}): what was computed from it is not cached, since the plan hashed other content`,
      file,
      span: null,
      hint: "run again once the file is as you want it: the recipe is planned anew with the file as it is then",
    },
  ]);
}
