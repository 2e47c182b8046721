// OpenRLHF exports' launch scripts, run with stand-ins for `ray`, `deepspeed` and `torchrun` on PATH that
// record their arguments: what a user's cluster would be asked to do. nnodes.sh is the committed 2-node
// goldens' (the goldens test keeps those folders equal to what `alignc export` writes); 1node.sh exists
// only in a one-node export (src/export/launch.ts), written here from the same recipe with --nodes 1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { repoRoot } from "../repo-root.js";
import { checkRecipeFile } from "../../src/check/index.js";
import { exportRecipe } from "../../src/export/index.js";
import { writeExportDir } from "../../src/export/write.js";
import { GOLDENS } from "./goldens.js";

const EXPORTS = join(repoRoot(), "recipes", "exports");

/** The export folder a launch script is run from: a committed golden (2 nodes), or the same export for one node. */
async function exportFolder(golden: string, nodes: number): Promise<string> {
  if (nodes !== 1) return join(EXPORTS, golden);
  const g = GOLDENS.find((x) => x.name === golden)!;
  const checked = await checkRecipeFile(join(EXPORTS, "quickstart-hf.align"));
  const r = await exportRecipe(checked.recipe!, { ...g.opts, nodes: 1 });
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === "error"), []);
  const dir = join(mkdtempSync(join(tmpdir(), "alignc-1node-")), golden);
  writeExportDir(dir, r.files);
  return dir;
}

/** Python's subprocess.list2cmdline (CPython Lib/subprocess.py), which `ray job submit` applies to the entrypoint. */
const LIST2CMDLINE = `function list2cmdline(seq) {
  const out = [];
  for (const arg of seq) {
    let bs = "";
    if (out.length) out.push(" ");
    const needquote = arg.includes(" ") || arg.includes("\\t") || arg === "";
    if (needquote) out.push('"');
    for (const c of arg) {
      if (c === "\\\\") bs += c;
      else if (c === '"') { out.push("\\\\".repeat(bs.length * 2), '\\\\"'); bs = ""; }
      else { out.push(bs, c); bs = ""; }
    }
    out.push(bs);
    if (needquote) out.push(bs, '"');
  }
  return out.join("");
}`;
const bashMissing = spawnSync("bash", ["-c", "true"]).status !== 0;

/** Copy an export folder (into a folder named `dirName`) and a bin/ of recording stand-ins; run one of its launch scripts. */
function runLaunch(folder: string, script: string, env: Record<string, string> = {}, dirName = "export dir with space"): { calls: string[][]; root: string; status: number | null; stderr: string } {
  const root = join(mkdtempSync(join(tmpdir(), "alignc-launch-")), dirName);
  cpSync(folder, root, { recursive: true });
  const bin = join(root, "..", "bin");
  mkdirSync(bin);
  const log = join(root, "..", "calls.jsonl");
  // each stand-in appends its argv as one JSON line; `ray list nodes` reports two live nodes; `ray job
  // submit` does what Ray's CLI and job supervisor do with the entrypoint: join it with Python's
  // subprocess.list2cmdline and run the result with /bin/sh (where `python3` is a recorder too)
  const recorder = `#!/usr/bin/env node
const fs = require("node:fs");
const argv = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify([require("node:path").basename(process.argv[1]), ...argv]) + "\\n");
if (argv[0] === "list") process.stdout.write("ALIVE\\nALIVE\\n");
${LIST2CMDLINE}
if (argv[0] === "job" && argv[1] === "submit") {
  const r = require("node:child_process").spawnSync("/bin/sh", ["-c", list2cmdline(argv.slice(argv.indexOf("--") + 1))], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}
`;
  for (const name of ["ray", "deepspeed", "torchrun", "python3"]) {
    writeFileSync(join(bin, name), recorder);
    chmodSync(join(bin, name), 0o755);
  }
  const r = spawnSync("bash", [join(root, "launch", script)], { encoding: "utf8", cwd: tmpdir(), env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ...env } });
  const calls = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l) as string[]) : [];
  return { calls, root, status: r.status, stderr: r.stderr };
}

for (const folder of ["openrlhf", "openrlhf-0.11"])
  for (const [script, nodes, env] of [["1node.sh", 1, {}], ["nnodes.sh", 2, { NODE_RANK: "0", MASTER_ADDR: "127.0.0.1" }]] as const)
    test(`${folder}/launch/${script}: the PPO job gets absolute paths into the export folder and uploads nothing`, { skip: bashMissing && "bash is not installed" }, async (t) => {
      const { calls, root, status, stderr } = runLaunch(await exportFolder(folder, nodes), script, env);
      t.after(() => rmSync(join(root, ".."), { recursive: true, force: true }));
      assert.equal(status, 0, stderr);
      const submit = calls.find((c) => c[0] === "ray" && c[1] === "job" && c[2] === "submit");
      assert.ok(submit, JSON.stringify(calls));
      // a working_dir runtime env would package the folder (trained models included) past Ray's upload limit,
      // and relative save paths would resolve inside Ray's unpacked copy
      assert.ok(!submit.some((a) => a.includes("runtime-env") || a.includes("working_dir")), submit.join(" "));
      // what the job itself was started with, after Ray's list2cmdline and /bin/sh
      const job = calls.find((c) => c[0] === "python3");
      assert.ok(job, JSON.stringify(calls));
      assert.deepEqual(job.slice(1, 3), ["-m", "openrlhf.cli.train_ppo_ray"]);
      const args = job.slice(3);
      const paths = args.filter((a) => a.includes("outputs/") || a.includes("data/"));
      assert.ok(paths.length >= 4, args.join(" "));
      for (const p of paths) assert.ok(p.startsWith(`${root}/outputs/`) || p.startsWith(`${root}/data/`), `${p} is not under ${root}`);
      // the argument file's tokens, in order, one for one: only the folder's own "./" paths made absolute
      const file = readFileSync(join(root, "configs", "policy.args"), "utf8").trimEnd().split("\n");
      assert.deepEqual(args, file.map((a) => (a.startsWith("./") ? `${root}/${a.slice(2)}` : a)));
      // the supervised stages keep reading the args file as written, from the export folder
      const sft = calls.find((c) => (c[0] === "deepspeed" || c[0] === "torchrun") && c.includes("openrlhf.cli.train_sft"));
      assert.ok(sft?.some((a) => a.startsWith("outputs/")), JSON.stringify(sft));
    });

for (const folder of ["openrlhf", "openrlhf-0.11"])
  test(`${folder}/launch/1node.sh in a folder whose path Ray's job shell would rewrite ($, a quote): stops before Ray starts, naming the argument`, { skip: bashMissing && "bash is not installed" }, async (t) => {
    const exported = await exportFolder(folder, 1);
    for (const dirName of ["price $HOME", "it's", "a*b"]) {
      const { calls, root, status, stderr } = runLaunch(exported, "1node.sh", {}, dirName);
      t.after(() => rmSync(join(root, ".."), { recursive: true, force: true }));
      assert.equal(status, 2, stderr);
      assert.match(stderr, /launch: stage policy: the argument '.*' holds a character that Ray's job shell would reinterpret/);
      assert.ok(stderr.includes(`${root}/`), stderr);
      // the supervised stages before it ran; Ray was never started
      assert.ok(!calls.some((c) => c[0] === "ray" || c[0] === "python3"), JSON.stringify(calls));
      assert.ok(calls.some((c) => c[0] === "deepspeed"), JSON.stringify(calls));
    }
  });
