// `alignc` command line: parses arguments (commander) and hands off to one module per command in
// src/cli/commands/. Commands are imported lazily so `alignc check` never loads TensorFlow.js.
// Exit codes: 0 ok, 1 errors found (or plans differ), 2 usage, 3 expectations failed, 130 interrupted.
import { Command, CommanderError } from "commander";
import { readFileSync } from "node:fs";

export interface CommandModule {
  run(args: string[], opts: Record<string, unknown>): Promise<number>;
}

type Spec = {
  name: string;
  args: string;
  summary: string;
  options: [flags: string, description: string, dflt?: unknown][];
};

// One row per command: the module src/cli/commands/<name>.ts exports `run(args, opts)`.
const COMMANDS: Spec[] = [
  { name: "check", args: "<files...>", summary: "check recipes statically (syntax, names, types, references, files)", options: [["--json", "diagnostics as JSON"], ["--no-leaks", "skip the contamination check (it reads the recipe's data)"]] },
  { name: "fmt", args: "<files...>", summary: "format recipes in the canonical layout (comments kept)", options: [["--check", "exit 1 when a file is not formatted, write nothing"]] },
  { name: "plan", args: "<recipe>", summary: "show the execution plan with hashes and cost estimates", options: [["--json", "the plan as JSON (schema: alignc schema plan)"], ["--variant <name>", "one variant of a sweep"], ["--backend <name>", "backend for time estimates", "auto"]] },
  { name: "diff", args: "<a> <b>", summary: "compare two recipes, plan.json files or run directories", options: [["--json", "the diff as JSON"], ["--variant-a <name>", "variant of A"], ["--variant-b <name>", "variant of B"]] },
  { name: "schema", args: "<what>", summary: "print a published JSON Schema: plan (plan.json, plan --json) or diff (diff --json)", options: [] },
  { name: "data", args: "<recipe>", summary: "show the examples a recipe trains on", options: [["--source <name>", "one source, task or mixture"], ["--preview <n>", "examples to show", "3"], ["--export <file>", "write the final examples as JSONL"], ["--stats", "counts per task and template, token lengths"], ["--leaks", "list every eval prompt or held-out text found verbatim in a training pool; ends with `leaks: N`"]] },
  { name: "run", args: "<recipe>", summary: "run the plan (cached stages are reused)", options: [["--backend <name>", "auto | tensorflow | wasm | cpu", "auto"], ["--force <node...>", "re-run these nodes even when cached"], ["--until <node>", "stop after this node"], ["--tiny", "the documented --tiny scaling of steps and sizes"], ["--variant <name>", "one variant of a sweep"]] },
  { name: "test", args: "[dir]", summary: "check recipes against golden plans and their expect blocks", options: [["--update", "rewrite golden plans"], ["--no-run", "plans only"], ["--backend <name>", "backend", "auto"]] },
  { name: "report", args: "<run>", summary: "write report.html for a run directory", options: [["--open", "print the file URL"]] },
  { name: "runs", args: "[dir]", summary: "list run directories", options: [["--json", "as JSON"]] },
  { name: "export", args: "<recipe>", summary: "compile the plan for TRL, OpenRLHF or Axolotl", options: [["--to <target>", "trl | openrlhf | axolotl"], ["--out <dir>", "output directory"], ["--nodes <n>", "nodes", "1"], ["--gpus-per-node <g>", "GPUs per node", "8"], ["--target-version <v>", "engine version"], ["--drop-ptx", "drop the ptx term where the target has none"], ["--variant <name>", "one variant of a sweep"], ["--until <stage>", "export the stages up to this one"], ["--trim-rows <n>", "keep the first n rows of each data file (fixtures)"]] },
];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command("alignc")
    .description("A compiler for alignment experiments")
    .version(version())
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const spec of COMMANDS) {
    const cmd = program.command(`${spec.name} ${spec.args}`).description(spec.summary).exitOverride();
    for (const [flags, desc, dflt] of spec.options) cmd.option(flags, desc, dflt as string | undefined);
    cmd.action(async (...params: unknown[]) => {
      const opts = params[params.length - 2] as Record<string, unknown>;
      const positional = params.slice(0, -2).flatMap((p) => (Array.isArray(p) ? p : p === undefined ? [] : [p])) as string[];
      let mod: CommandModule;
      try {
        mod = (await import(`./commands/${spec.name}.js`)) as CommandModule;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND") throw err;
        process.stderr.write(`alignc ${spec.name}: not available in this build\n`);
        code = 2;
        return;
      }
      code = await mod.run(positional, opts);
    });
  }
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; every other commander error is a usage error
      return err.exitCode === 0 ? 0 : 2;
    }
    throw err;
  }
  return code;
}
