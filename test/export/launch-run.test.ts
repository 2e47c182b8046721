// The committed OpenRLHF exports' launch scripts, run with stand-ins for `ray`, `deepspeed` and `torchrun`
// on PATH that record their arguments: what a user's cluster would be asked to do. (The goldens test keeps
// these folders equal to what `alignc export` writes.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { repoRoot } from "../repo-root.js";

const EXPORTS = join(repoRoot(), "recipes", "exports");
const bashMissing = spawnSync("bash", ["-c", "true"]).status !== 0;

/** Copy an export folder and a bin/ of recording stand-ins; run one of its launch scripts. */
function runLaunch(folder: string, script: string, env: Record<string, string> = {}): { calls: string[][]; root: string; status: number | null; stderr: string } {
  const root = join(mkdtempSync(join(tmpdir(), "alignc-launch-")), "export dir with space");
  cpSync(join(EXPORTS, folder), root, { recursive: true });
  const bin = join(root, "..", "bin");
  mkdirSync(bin);
  const log = join(root, "..", "calls.jsonl");
  // each stand-in appends its argv as one JSON line; `ray list nodes` reports two live nodes
  const recorder = `#!/usr/bin/env node
const fs = require("node:fs");
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify([require("node:path").basename(process.argv[1]), ...process.argv.slice(2)]) + "\\n");
if (process.argv[2] === "list") process.stdout.write("ALIVE\\nALIVE\\n");
`;
  for (const name of ["ray", "deepspeed", "torchrun"]) {
    writeFileSync(join(bin, name), recorder);
    chmodSync(join(bin, name), 0o755);
  }
  const r = spawnSync("bash", [join(root, "launch", script)], { encoding: "utf8", cwd: tmpdir(), env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ...env } });
  const calls = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l) as string[]) : [];
  return { calls, root, status: r.status, stderr: r.stderr };
}

for (const folder of ["openrlhf", "openrlhf-0.11"])
  for (const [script, env] of [["1node.sh", {}], ["nnodes.sh", { NODE_RANK: "0", MASTER_ADDR: "127.0.0.1" }]] as const)
    test(`${folder}/launch/${script}: the PPO job gets absolute paths into the export folder and uploads nothing`, { skip: bashMissing && "bash is not installed" }, (t) => {
      const { calls, root, status, stderr } = runLaunch(folder, script, env);
      t.after(() => rmSync(join(root, ".."), { recursive: true, force: true }));
      assert.equal(status, 0, stderr);
      const submit = calls.find((c) => c[0] === "ray" && c[1] === "job" && c[2] === "submit");
      assert.ok(submit, JSON.stringify(calls));
      // a working_dir runtime env would package the folder (trained models included) past Ray's upload limit,
      // and relative save paths would resolve inside Ray's unpacked copy
      assert.ok(!submit.some((a) => a.includes("runtime-env") || a.includes("working_dir")), submit.join(" "));
      const args = submit.slice(submit.indexOf("--") + 1);
      const paths = args.filter((a) => a.includes("outputs/") || a.includes("data/"));
      assert.ok(paths.length >= 4, args.join(" "));
      for (const p of paths) assert.ok(p.startsWith(`${root}/outputs/`) || p.startsWith(`${root}/data/`), `${p} is not under ${root}`);
      // the argument file's tokens, in order, one for one
      const file = readFileSync(join(root, "configs", "policy.args"), "utf8").trimEnd().split("\n");
      assert.deepEqual(args.slice(3), file.map((a) => (/^(outputs|data)\//.test(a) ? `${root}/${a}` : a)));
      // the supervised stages keep reading the args file as written, from the export folder
      const sft = calls.find((c) => (c[0] === "deepspeed" || c[0] === "torchrun") && c.includes("openrlhf.cli.train_sft"));
      assert.ok(sft?.some((a) => a.startsWith("outputs/")), JSON.stringify(sft));
    });
