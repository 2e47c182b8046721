// `alignc` command line: parses arguments (commander) and hands off to one module per command in
// src/cli/commands/. Commands are imported lazily so `alignc check` never loads TensorFlow.js.
// Exit codes: 0 ok, 1 errors found (or golden plans differ), 2 usage, 3 expectations failed, 130 interrupted;
// diff its own (DIFF_EXIT_CODES).
import { createRequire } from "node:module";
import { existsSync, statSync } from "node:fs";
import { alignVersion } from "../common/repo-root.js";
import { escapeControl, escapeControlKeepLines } from "../lang/escape.js";
import { missingReason, specialInput } from "../common/fs-probe.js";
import { commandStopsOn, handlePendingSignals, releaseSignals } from "../common/temp-cleanup.js";
import { requestStop } from "../run/storage/interrupt.js";

// commander through its CommonJS entry, the module its ESM entry re-exports: importing it from ESM
// would have node parse it for its export names first (~15 M instructions, ~2 ms of every start).
const { Command, CommanderError, Option } = createRequire(import.meta.url)("commander") as typeof import("commander");
type Option = import("commander").Option;

export interface CommandModule {
  run(args: string[], opts: Record<string, unknown>): Promise<number>;
}

type Spec = {
  name: string;
  args: string;
  summary: string;
  options: (Option | [flags: string, description: string, dflt?: unknown])[];
  /** typical invocations, shown by --help */
  examples?: string[];
  /** positional arguments that name input files: a missing one is the same usage error (exit 2) in every command */
  inputs?: "all" | "first";
  /** a command whose exit codes differ from the shared ones (EXIT_CODES) says its own */
  exitCodes?: string;
};

const BACKENDS = ["auto", "tensorflow", "wasm", "cpu"];
const backendOption = (description: string) => new Option("--backend <name>", description).choices(BACKENDS);

/** `plan` and `run`: without a `budget { time <= … }`, an estimate past 30 days is refused (AL4017) unless this is given. */
const NO_BUDGET: [string, string] = ["--no-budget", "accept a time estimate past the 30-day ceiling (AL4017) in a recipe without a `budget { time <= … }`; a recipe's own budget still holds"];

/** `diff` answers a question with its exit status, as diff(1) does: 1 means "they differ", so an input
 * that does not load (a recipe with errors, a damaged plan.json or manifest) is 2, never 1. */
const DIFF_EXIT_CODES = "Exit codes: 0 equal · 1 different · 2 usage, or an input that does not load (a recipe with errors, a damaged plan.json or manifest.json) · 130 interrupted (129, ending by SIGHUP, when its terminal closes)";

/** The exit codes every command shares (each command uses the ones that apply to it). */
const EXIT_CODES = "Exit codes: 0 ok · 1 recipe or data errors (test: or a golden plan differs) · 2 usage · 3 an expectation failed · 130 interrupted (129, ending by SIGHUP, when its terminal closes)";

// One row per command: the module src/cli/commands/<name>.ts exports `run(args, opts)`.
const COMMANDS: Spec[] = [
  { name: "check", args: "<files...>", inputs: "all", summary: "check recipes statically (syntax, names, types, references, files)", options: [["--json", "diagnostics as JSON"], ["--no-leaks", "skip the contamination and truncation checks (they read the recipe's data)"]], examples: ["alignc check recipes/quickstart.align", "alignc check --json recipes/*.align"] },
  { name: "fmt", args: "<files...>", inputs: "all", summary: "format recipes in the canonical layout (comments kept)", options: [["--check", "exit 1 when a file is not formatted, write nothing"]], examples: ["alignc fmt recipes/quickstart.align", "alignc fmt --check recipes/*.align"] },
  { name: "plan", args: "<recipe>", inputs: "first", summary: "show the execution plan with hashes and cost estimates", options: [["--json", "the plan as JSON on stdout (schema: alignc schema plan), diagnostics as JSON on stderr"], ["--variant <name>", "one variant of a sweep"], backendOption("backend for time estimates (default: the recipe's, else auto)"), NO_BUDGET], examples: ["alignc plan recipes/quickstart.align", "alignc plan recipes/quickstart-kl.align --variant kl_coef=0.02 --json > plan.json"] },
  { name: "diff", args: "<a> <b>", inputs: "all", summary: "compare two recipes, plan.json files or run directories", options: [["--json", "the diff as JSON"], ["--variant-a <name>", "variant of A"], ["--variant-b <name>", "variant of B"]], examples: ["alignc diff recipes/quickstart.align recipes/quickstart-kl.align --variant-b kl_coef=0.02", "alignc diff runs/A runs/B"], exitCodes: DIFF_EXIT_CODES },
  { name: "schema", args: "<what>", summary: "print a published JSON Schema: plan (plan.json, plan --json) or diff (diff --json)", options: [], examples: ["alignc schema plan > plan.schema.json"] },
  { name: "data", args: "<recipe>", inputs: "first", summary: "show the examples a recipe trains on", options: [["--source <name>", "one source, task or mixture"], ["--stage <name>", "with --source: show it as this stage reads it (its chat format, tokenizer and context; default: the first stage that trains on it)"], ["--preview <n>", "examples to show", "3"], ["--export <file>", "write the final examples as JSONL"], ["--split <split>", "with --export: train | heldout | heldout_templates | heldout_tasks | all (default: train)"], ["--force", "let --export replace an existing file alignc did not write (never the recipe or its inputs)"], ["--stats", "counts per task and template, token lengths"], ["--leaks", "list every eval prompt or held-out text found verbatim in a training pool; ends with `leaks: N`"], ["--ngram <n>", "with --leaks: also list near duplicates, evaluated texts that share a run of n words with a training text (GPT-3 used 13)"], ["--json", "one JSON document on stdout: diagnostics plus the stats, preview and export of each block (or the leak report)"], ["--variant <name>", "one variant of a sweep (default: the first)"]], examples: ["alignc data recipes/quickstart.align --stats", "alignc data recipes/quickstart-kl.align --variant kl_coef=0.02 --stats", "alignc data recipes/quickstart.align --stats --json", "alignc data recipes/quickstart.align --leaks", "alignc data recipes/quickstart.align --leaks --ngram 13", "alignc data recipes/quickstart.align --source demos --preview 5"] },
  { name: "run", args: "<recipe-or-plan>", inputs: "first", summary: "run a recipe's plan, or a saved plan.json exactly (cached stages are reused)", options: [backendOption("auto | tensorflow | wasm | cpu (default: the recipe's, else auto)"), ["--workers <n>", "threads that compute a training stage's parallel_shares on wasm/cpu (pretrain/SFT/reward_model/DPO, PPO's rollouts and updates): a number or auto (the number of cores; at most parallel_shares), the default; speed only: the figures are the same for any count"], ["--force <node...>", "re-run these nodes even when cached"], ["--until <node>", "stop after this node"], ["--tiny", "the documented --tiny scaling of steps and sizes"], NO_BUDGET, ["--variant <name>", "one variant of a sweep"], ["--all-variants", "every variant of a sweep, one run each (shared stages computed once)"], ["--recipe <file>", "the recipe of a saved plan (default: found by its file name)"]], examples: ["alignc run recipes/quickstart.align", "alignc run recipes/quickstart.align --workers 1", "alignc run recipes/quickstart-kl.align --variant kl_coef=0.02", "alignc run recipes/quickstart-kl.align --all-variants --tiny", "alignc run plan.json"] },
  { name: "test", args: "[dir]", summary: "check recipes against golden plans and their expect blocks", options: [["--update", "rewrite golden plans"], ["--no-run", "plans only"], backendOption("backend (default: the recipe's, else auto)")], examples: ["alignc test recipes/", "alignc test recipes/ --no-run"] },
  { name: "report", args: "<run>", summary: "write report.html for a run directory", options: [["--open", "print the file URL"]], examples: ["alignc report runs/quickstart-20261202-101500-1a2b3c4d"] },
  { name: "cache", args: "<action> [runs...]", summary: "prune the stage cache: remove the entries and checkpoints no run folder's plan names (only alignc's own)", options: [["--dry-run", "list what would be removed; remove nothing"], ["--forget-gone", "a runs folder that used the cache and is no longer there was deleted for good: drop its record and prune without it (else prune refuses)"], ["--json", "the report as JSON"]], examples: ["alignc cache prune --dry-run", "alignc cache prune", "ALIGNC_CACHE=~/.alignc-cache alignc cache prune runs ../other/runs"] },
  { name: "runs", args: "[dir]", summary: "list run directories", options: [["--json", "as JSON"]], examples: ["alignc runs", "alignc runs --json"] },
  { name: "label", args: "[recipe]", summary: "serve a local page where people rate and rank K responses (the rankings a reward model trains on)", options: [["--source <name>", "the candidates source to label"], ["--port <n>", "port (default: one derived from the labels file, else a free one)"], ["--host <ip>", "listen on this address instead of 127.0.0.1 (a warning: others can reach it)"], ["--stats <file>", "statistics of a labels file instead: labelers, time, flags, agreement"], ["--json", "--stats as JSON"]], examples: ["alignc label recipe.align --source cands", "alignc label --stats labels.jsonl"] },
  { name: "export", args: "<recipe>", inputs: "first", summary: "compile the plan for TRL, OpenRLHF or Axolotl", options: [new Option("--to <target>", "the cluster engine").choices(["trl", "openrlhf", "axolotl"]).makeOptionMandatory(), new Option("--out <dir>", "output directory").makeOptionMandatory(), ["--nodes <n>", "nodes", "1"], ["--gpus-per-node <g>", "GPUs per node", "8"], ["--target-version <v>", "engine version"], ["--drop-ptx", "drop the ptx term where the target has none"], ["--variant <name>", "one variant of a sweep"], ["--until <stage>", "export the stages up to this one"], ["--trim-rows <n>", "keep the first n rows of each data file (fixtures)"], ["--force", "write into a non-empty folder that is not an alignc export (its files are still never overwritten)"]], examples: ["alignc export recipes/quickstart.align --to openrlhf --out exports/quickstart-openrlhf"] },
  { name: "explain", args: "<code>", summary: "what a diagnostic code means, with an example and the fix", options: [], examples: ["alignc explain AL2004"] },
];


/**
 * A reader that closes the pipe early (`alignc data … | head`) makes every later write fail with
 * EPIPE, and a closed terminal or ssh session (after its SIGHUP) with EIO: an unhandled 'error'
 * event (a stack trace, exit 1 in the middle of a checkpoint) by default. The output is no longer
 * wanted: a command that installed a stop handler (run, test, label) is asked to stop as by SIGTERM
 * (SIGHUP for a terminal; a run saves a checkpoint and exits 130, 129); any other command finishes
 * what it was writing to files. A command already stopping is not asked again: a Ctrl-C that also
 * ended the reader (`alignc run R | tee log`) must not turn into the stop-at-once of a second one.
 */
let pipeWatched = false;
/** Output that was wanted could not be written (a full disk or quota behind `> file`): the command fails. */
let outputLost: NodeJS.ErrnoException | null = null;
function quietOnClosedPipe(): void {
  if (pipeWatched) return; // main() runs many times in one process in the CLI fuzzer
  pipeWatched = true;
  let closed = false;
  const onError = (err: NodeJS.ErrnoException): void => {
    if (closed) return;
    closed = true;
    if (err.code !== "EPIPE" && err.code !== "EIO") {
      // not a reader that left: the output is lost (ENOSPC, EDQUOT, EFBIG …). Said where it can still
      // be read, and the command exits 1 (a stack trace before; a run that finished exited 7); a
      // command with a stop handler stops as by SIGTERM, saving what it has
      outputLost = err;
      try {
        process.stderr.write(`alignc: cannot write its output: ${err.message}\n`);
      } catch {
        // stderr is the stream that failed: the exit code still says it
      }
    }
    const sig = err.code === "EIO" ? "SIGHUP" : "SIGTERM";
    if (requestStop(sig)) return; // run, test, a label draw: graceful, whatever came before
    if (commandStopsOn(sig)) process.kill(process.pid, sig); // the label server's own handlers
  };
  process.stdout.on("error", onError);
  process.stderr.on("error", onError);
}

/** Options whose value is a path, or a variant (named by its swept values, which may hold a line break:
 * its messages escape it), not a name. */
const PATH_OPTIONS = new Set(["export", "out", "recipe", "stats", "variant", "variantA", "variantB"]);

/** Why an option value or a positional name of `command` is refused (a control character), or null. */
function nameArguments(command: string, positional: string[], opts: Record<string, unknown>): string | null {
  const names: [string, string][] = [];
  for (const [k, v] of Object.entries(opts)) {
    if (PATH_OPTIONS.has(k)) continue;
    const flag = `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    for (const x of Array.isArray(v) ? v : [v]) if (typeof x === "string") names.push([flag, x]);
  }
  if (command === "explain") for (const x of positional) names.push(["the code", x]);
  for (const [what, x] of names) if (escapeControl(x) !== x) return `${what} ${escapeControl(x)} holds a control character; names have none`;
  return null;
}

/** Commands whose input files are recipes (`run` also takes a saved plan). */
const RECIPE_COMMANDS = new Set(["check", "fmt", "plan", "data", "export", "run"]);
/** Commands that take several files and work on each apart: one bad input does not stop the others. */
const MANY_FILES = new Set(["check", "fmt"]);

/** What is wrong with an input path for command `name` (the text after the path), or null. */
function inputProblem(p: string, name: string): string | null {
  if (!existsSync(p)) return `: ${escapeControl(missingReason(p))}`;
  const kind = specialInput(p);
  if (kind !== null) return ` is ${kind}, not a regular file: alignc reads only regular files`;
  const why = RECIPE_COMMANDS.has(name) ? notARecipe(p, name) : null;
  return why === null ? null : ` ${why}`;
}

/** Why `p` cannot be the recipe `command` reads, or null. */
function notARecipe(p: string, command: string): string | null {
  if (statSync(p).isDirectory()) return "is a folder, not a recipe file";
  if (command !== "run" && p.endsWith(".json")) return `is JSON (a saved plan?), not a recipe: \`alignc run ${p}\` runs a saved plan, \`alignc diff ${p} RECIPE\` compares it`;
  return null;
}

export async function main(argv: string[]): Promise<number> {
  quietOnClosedPipe();
  let code = 0;
  const program = new Command("alignc")
    .description("A compiler for alignment experiments")
    .version(alignVersion())
    .exitOverride()
    // commander's own errors quote the argument (`--to x…`): control characters in it are shown escaped
    .configureOutput({ writeErr: (s) => process.stderr.write(escapeControlKeepLines(s)) });
  for (const spec of COMMANDS) {
    const cmd = program.command(`${spec.name} ${spec.args}`).description(spec.summary).exitOverride();
    for (const o of spec.options) {
      if (o instanceof Option) cmd.addOption(o);
      else cmd.option(o[0], o[1], o[2] as string | undefined);
    }
    cmd.addHelpText("after", `\nExamples:\n${(spec.examples ?? []).map((e) => `  ${e}`).join("\n")}\n\n${spec.exitCodes ?? EXIT_CODES}\n`);
    cmd.action(async (...params: unknown[]) => {
      const opts = params[params.length - 2] as Record<string, unknown>;
      const positional = params.slice(0, -2).flatMap((p) => (Array.isArray(p) ? p : p === undefined ? [] : [p])) as string[];
      // a name (a node, source, split, variant, code) never holds a control character; messages quote
      // names back, so one holding ESC or BEL would reach the terminal raw: refused here, once for all
      const named = nameArguments(spec.name, positional, opts);
      if (named) {
        process.stderr.write(`alignc ${spec.name}: ${named}\n`);
        code = 2;
        return;
      }
      const inputs = spec.inputs === "all" ? positional : spec.inputs === "first" ? positional.slice(0, 1) : [];
      // every input's problem is said in one run (a missing file, a FIFO, socket or device, a saved plan or
      // folder named as a recipe), a usage error (exit 2) in every command; where a command takes several
      // files (check, fmt), the others are still checked or formatted (huntH42 L1: one missing file among
      // several stopped them all, and hid the next file's problem until the first was fixed)
      const bad = inputs.map((p) => [p, inputProblem(p, spec.name)] as const).filter((x): x is readonly [string, string] => x[1] !== null);
      if (bad.length) {
        for (const [p, why] of bad) process.stderr.write(`alignc ${spec.name}: ${escapeControl(p)}${why}\n`);
        code = 2;
        const rest = positional.filter((p) => !bad.some(([b]) => b === p));
        if (!MANY_FILES.has(spec.name) || rest.length === 0) return;
        positional.splice(0, positional.length, ...rest);
      }
      let mod: CommandModule;
      try {
        mod = (await import(`./commands/${spec.name}.js`)) as CommandModule;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND") throw err;
        process.stderr.write(`alignc ${spec.name}: not available in this build\n`);
        code = 2;
        return;
      }
      code = Math.max(code, await mod.run(positional, opts));
      // a signal that came during the command's last synchronous write waits for the event loop,
      // which would otherwise end without reading it: the process would exit 0 as if not stopped
      await handlePendingSignals();
      releaseSignals();
    });
  }
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // help and version exit 0; every other commander error is a usage error
    code = err.exitCode === 0 ? 0 : 2;
  }
  await new Promise((r) => setImmediate(r)); // a failed write's 'error' event comes after the write
  return outputLost !== null && code === 0 ? 1 : code;
}

