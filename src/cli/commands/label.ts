// `alignc label RECIPE --source NAME [--port N] [--host H]`: serve the labeling page for a candidates
// source (a `samples(stage)` source is drawn first, training what it needs unless cached); the first
// line of output is the page's URL (with its token). Ctrl-C stops it (exit 130; SIGHUP 129)
// after the writes in flight are on disk. `alignc label --stats FILE [--json]`: labeler statistics.
// Exit 0 ok, 1 recipe/data errors, 2 usage, 130 stopped by Ctrl-C or SIGTERM, 129 by SIGHUP.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { isIP } from "node:net";
import { relative } from "node:path";
import { checkRecipeFile } from "../../check/index.js";
import { findSweeps, siteKey } from "../../plan/variants.js";
import { onlyBlock } from "../../run/compile-run.js";
import type { CheckedRecipe } from "../../check/ir.js";
import { isRef } from "../../data/ir.js";
import { DiagnosticError, sortDiagnostics, hasErrors, type Diagnostic } from "../../lang/diagnostic.js";
import { renderDiagnostics, summarize, useColor } from "../../lang/render.js";
import { labelTarget, loadLabelConfig } from "../../label/candidates.js";
import { drawSamples } from "../../label/samples.js";
import type { DrawRecord } from "../../data/build-samples.js";
import { Interrupt, stopCode } from "../../run/storage/interrupt.js";
import { createProgress } from "../../run/presentation/progress.js";
import { startLabelServer, type LabelServer } from "../../label/server.js";
import { LabelSession } from "../../label/session.js";
import { labelStats, statsText, StatsError } from "../../label/stats.js";
import { JournalError } from "../../label/store.js";
import { lockLabelsFile, type LabelsLock } from "../../label/labels-lock.js";
import { escapeControl, escapeControlKeepLines } from "../../lang/escape.js";
import { missingReason, specialInput } from "../../common/fs-probe.js";
import { releaseSignals } from "../../common/temp-cleanup.js";

const USAGE = "usage: alignc label RECIPE --source NAME [--port N] [--host H]\n       alignc label --stats FILE [--json]\n";

function report(ds: Diagnostic[], sources: Map<string, string>): void {
  const sorted = sortDiagnostics(ds);
  process.stderr.write(`${renderDiagnostics(sorted, sources, { color: useColor(process.stderr) })}\n\n${summarize(sorted)}\n`);
}

function stats(file: string, asJson: boolean): number {
  if (!existsSync(file)) {
    process.stderr.write(`alignc label --stats: ${escapeControl(file)}: ${escapeControl(missingReason(file))}\n`);
    return 2;
  }
  // a FIFO, socket or device named as the file: a usage error, as in every command (it exited 1: audit35 L6)
  const special = specialInput(file);
  if (special) {
    process.stderr.write(`alignc label --stats: ${escapeControl(file)} is ${special}, not a regular file: alignc reads only regular files\n`);
    return 2;
  }
  try {
    const s = labelStats(file);
    process.stdout.write(asJson ? `${JSON.stringify(s, null, 2)}\n` : `${statsText(s)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof StatsError) {
      process.stderr.write(`alignc label --stats: ${escapeControlKeepLines(e.message)}\n`);
      return 1;
    }
    throw e;
  }
}

/** The sweep sites among what labeling `source` reads: the blocks it depends on (compile-run.ts onlyBlock),
 * its labels' rankings source and the recipe header. */
export function sweptForLabel(recipe: CheckedRecipe, source: string): string[] {
  const cut = onlyBlock(recipe, source);
  const labels = recipe.blocks.find((b) => b.name === source)?.props.labels;
  const target = isRef(labels) ? recipe.blocks.find((b) => b.name === labels.$ref) : undefined;
  const blocks = target && !cut.blocks.includes(target) ? [...cut.blocks, target] : cut.blocks;
  return findSweeps({ ...cut, blocks }).map(siteKey);
}

// ::ffff:127.0.0.1 is IPv4's loopback written as an IPv6 address: this machine only, as 127.0.0.1 is
export const isLoopback = (host: string): boolean => host === "localhost" || host === "::1" || /^(::ffff:)?127\./i.test(host);

export async function run(args: string[], opts: Record<string, unknown>): Promise<number> {
  if (typeof opts.stats === "string") {
    if (args.length || opts.source) {
      process.stderr.write(`alignc label: --stats FILE takes no recipe or --source\n${USAGE}`);
      return 2;
    }
    return stats(opts.stats, opts.json === true);
  }
  const file = args[0];
  const source = typeof opts.source === "string" ? opts.source : undefined;
  if (!file || !source || args.length > 1) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (!existsSync(file)) {
    process.stderr.write(`alignc label: ${escapeControl(file)}: ${escapeControl(missingReason(file))}\n`);
    return 2;
  }
  // digits only: Number() read "" as 0 (a random port), "1e3" as 1000 and "0x1F90" as 8080
  const port = opts.port === undefined ? 0 : /^\d{1,5}$/.test(String(opts.port)) ? Number(opts.port) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`alignc label: --port must be a port number (0–65535), got ${String(opts.port)}\n`);
    return 2;
  }
  const host = typeof opts.host === "string" ? opts.host : "127.0.0.1";
  if (host !== "localhost" && !isIP(host)) {
    process.stderr.write(`alignc label: --host must be an IP address or localhost, got ${host}\n`);
    return 2;
  }

  const { recipe, diagnostics, sources } = await checkRecipeFile(file);
  if (!recipe || hasErrors(diagnostics)) {
    report(diagnostics, sources);
    return 1;
  }
  if (!recipe.blocks.some((b) => b.name === source)) {
    const cands = recipe.blocks.filter((b) => b.keyword === "source" && b.role === "candidates").map((b) => b.name);
    process.stderr.write(`alignc label: no block named \`${source}\` (candidates sources: ${cands.join(", ") || "none; declare one with `as candidates`"})\n`);
    return 2;
  }
  // one recipe's candidates, labels file and seed: a sweep of what label reads (the source, the blocks it
  // is drawn from, its labels' source, the seed) would differ by variant (a swept `overlap` was served at its
  // default, a swept `seed` stopped as an internal error: audit38 #2); a sweep elsewhere changes nothing here
  const swept = sweptForLabel(recipe, source);
  if (swept.length > 0) {
    process.stderr.write(`alignc label: ${escapeControl(file)} sweeps what labeling \`${source}\` reads (${swept.join(", ")}); label serves one recipe: write one that extends it with the swept values set (recipe NAME extends "${escapeControl(relative(".", file) || file)}" { … })\n`);
    return 2;
  }
  let session: LabelSession;
  let lock: LabelsLock | undefined;
  try {
    // where the labels go and that they fit, before any training; the file's lock before a draw (a
    // second server is refused before it trains) and before the session reads (and may repair) the file
    lock = await lockLabelsFile(labelTarget(recipe, source).labelsFile);
    let drawn: { file: string; record?: DrawRecord } | undefined;
    if (recipe.blocks.find((b) => b.name === source)!.kind === "samples") {
      const d = await draw(file, source);
      if (typeof d === "number") {
        lock.release();
        return d;
      }
      drawn = d;
    }
    session = new LabelSession(await loadLabelConfig(recipe, source, drawn));
  } catch (e) {
    lock?.release();
    if (e instanceof DiagnosticError) {
      report(e.diagnostics, sources);
      return 1;
    }
    if (e instanceof JournalError) {
      process.stderr.write(`alignc label: ${escapeControlKeepLines(e.message)}\n  the labels file is left as it is\n`);
      return 1;
    }
    throw e;
  }
  const derived = opts.port === undefined;
  const wanted = derived ? defaultPort(session.config.labelsFile) : port;
  let server: LabelServer;
  try {
    server = await startLabelServer(session, { host, port: wanted }).catch((e: NodeJS.ErrnoException) => {
      if (derived && e.code === "EADDRINUSE") return startLabelServer(session, { host, port: 0 }); // taken: any free port
      throw e;
    });
  } catch (e) {
    await session.close();
    lock!.release();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL") {
      process.stderr.write(`alignc label: cannot listen on ${host}:${wanted} (${code})\n`);
      return 1;
    }
    throw e;
  }
  if (derived && new URL(server.url).port !== String(wanted))
    process.stderr.write(`alignc label: port ${wanted} (this labels file's own) is taken by another program: serving on another, a new origin, so work the browser kept for ${wanted} is not at this URL\n`);
  return serveUntilStopped(server, session, lock!);
}

/**
 * A `samples(stage)` source: run what it needs (the stage and its inputs, reused from the cache when
 * there) and draw it (once: cached by its hash); progress on stderr, so stdout's first line stays the URL.
 */
async function draw(file: string, source: string): Promise<{ file: string; record?: DrawRecord } | number> {
  const interrupt = new Interrupt().install();
  try {
    const d = await drawSamples(file, source, { progress: createProgress(), interrupt });
    if (!d.ok) {
      if (d.diagnostics.length) report(d.diagnostics, d.sources);
      if (d.message) process.stderr.write(`alignc label: ${escapeControlKeepLines(d.message)}\n`);
      return d.exitCode;
    }
    process.stderr.write(`alignc label: \`${source}\` ${d.computed.includes(source) ? "drawn" : "found in the cache"} (${d.computed.length ? `computed: ${d.computed.join(", ")}` : "nothing to compute"}; run ${relative(process.cwd(), d.runDir) || d.runDir})\n`);
    return { file: d.file, record: d.record };
  } finally {
    interrupt.uninstall();
  }
}

/**
 * Without --port, a port derived from the labels file: a restarted server is at the same origin, so
 * the browser's storage (work in progress, submissions not yet acknowledged) carries over to its new URL.
 */
function defaultPort(labelsFile: string): number {
  return 20000 + (createHash("sha256").update(labelsFile).digest().readUInt32BE(0) % 20000);
}

function serveUntilStopped(server: LabelServer, session: LabelSession, lock: LabelsLock): Promise<number> {
  const c = session.config;
  const host = new URL(server.url).hostname.replace(/^\[|\]$/g, "");
  const rel = (p: string) => relative(process.cwd(), p) || p;
  // the stop handlers before the URL is printed: a Ctrl-C or SIGTERM that comes as soon as someone
  // (or a script) reads the URL must close the server gracefully too, not kill it by the signal
  const stopped = new Promise<number>((resolve) => {
    let first: NodeJS.Signals | null = null;
    const stop = (sig: NodeJS.Signals) => {
      if (first !== null) {
        // as `alignc run`: a second Ctrl-C or SIGTERM stops at once (a second SIGHUP is the terminal
        // closing, not a user insisting), but not in the middle of a write: the line being written
        // finishes and is fsynced, those queued are refused (unacknowledged: the page resends them)
        if (sig === "SIGHUP") return;
        process.stderr.write(`\n${sig === "SIGINT" ? "Ctrl-C" : sig} again: stopping now; every acknowledged label is on disk (the page resends the others)\n`);
        stopNow(stopCode(first));
        return;
      }
      first = sig;
      process.stderr.write(`\n${sig}: finishing the writes in flight… (${sig === "SIGINT" ? "Ctrl-C again" : sig === "SIGHUP" ? "Ctrl-C or SIGTERM" : `${sig} again`} to stop at once)\n`);
      server.close().then(
        () => {
          off();
          lock.release();
          process.stderr.write(`alignc label: stopped; ${session.labelCount} labels in ${rel(c.labelsFile)}\n`);
          resolve(stopCode(sig));
        },
        (e: unknown) => {
          off();
          lock.release();
          process.stderr.write(`alignc label: ${escapeControlKeepLines((e as Error).message)}\n`);
          resolve(stopCode(sig));
        },
      );
    };
    const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
    // `on`, not `once`: with no listener left, a second Ctrl-C killed the server by its default action
    // while it was still writing
    for (const sig of signals) process.on(sig, stop);
    // the journals are closed: what is left is the process's exit (bin/alignc.js ends a 129 by SIGHUP, with no listener left)
    const off = () => {
      for (const sig of signals) process.off(sig, stop);
    };
    const stopNow = (code: number) => {
      const end = () => {
        off();
        lock.release(); // the write in progress is done (or given up): the next server may take the file
        releaseSignals();
        // stopping after a SIGHUP: end by SIGHUP, as bin/alignc.js does (exit() would reset the dead terminal and abort)
        if (code === 129 && process.listenerCount("SIGHUP") === 0) process.kill(process.pid, "SIGHUP");
        process.exit(code);
      };
      // a disk that hangs must not keep "stop now" from stopping: at most 2 s for the write in progress
      const backstop = setTimeout(end, 2000);
      session.stopNow().then(end, end).finally(() => clearTimeout(backstop));
    };
  });
  process.stdout.write(`${server.url}\n`);
  process.stderr.write(
    `alignc label: ${c.sets.length} candidate sets from ${rel(c.candidatesFile)} (${Math.round(c.overlap * c.sets.length)} shown to two labelers); ` +
      `labels are appended to ${rel(c.labelsFile)}, which source \`${c.rankingsSource}\` reads (${session.labelCount} so far). Ctrl-C stops.\n`,
  );
  for (const r of session.repairs) process.stderr.write(`alignc label: ${r}\n`);
  if (!isLoopback(host)) process.stderr.write(`alignc label: warning: listening on ${host}, not only this machine: anyone who can reach it and has the URL's token can read the candidates and write labels\n`);
  return stopped;
}
