// Progress of a run: on a terminal a cli-progress bar per stage (step/total, loss, tokens/s, ETA);
// elsewhere (a pipe, a log file, CI=true) plain lines every `intervalMs` and at the end of a stage,
// so CI logs stay readable and short.
import cliProgress from "cli-progress";
import { fmtDuration, fmtNum } from "./format.js";

// the formatters moved to ./format.js (no cli-progress there, so `alignc diff` stays light); kept here for callers
export { fmtDuration, fmtNum };

export interface StepInfo {
  loss?: number;
  tokensPerSec?: number;
  /** any other metric worth showing (reward, kl, accuracy) */
  extra?: Record<string, number>;
}

export interface StageProgress {
  update(step: number, info?: StepInfo): void;
  /** the stage ended (completed or interrupted); `note` is shown once */
  done(note?: string): void;
}

export interface Progress {
  stage(label: string, total: number, startStep?: number): StageProgress;
  /** a line of text above the bars (or a plain line) */
  info(line: string): void;
  stop(): void;
}

export interface ProgressOptions {
  stream?: NodeJS.WriteStream | NodeJS.WritableStream;
  /** force bars (true) or plain lines (false); default: bars iff the stream is a TTY and CI is not set */
  tty?: boolean;
  /** plain mode: at most one line per stage per interval */
  intervalMs?: number;
  /** nothing at all (library use, tests) */
  quiet?: boolean;
}

export function ciEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.CI;
  return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
}

function extras(info?: StepInfo): string {
  return Object.entries(info?.extra ?? {})
    .map(([k, v]) => `${k} ${fmtNum(v)}`)
    .join("  ");
}

export function createProgress(opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  if (opts.quiet) return { stage: () => ({ update() {}, done() {} }), info() {}, stop() {} };
  const tty = opts.tty ?? (Boolean((stream as NodeJS.WriteStream).isTTY) && !ciEnv());
  return tty ? barProgress(stream) : plainProgress(stream, opts.intervalMs ?? 10_000);
}

function barProgress(stream: NodeJS.WritableStream): Progress {
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: "{stage} [{bar}] {value}/{total} | loss {loss} | {tps} tok/s | ETA {eta_formatted} {extra}",
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      etaBuffer: 20,
      fps: 5,
      barsize: 24,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    stage(label, total, startStep = 0) {
      const bar = multi.create(total, startStep, { stage: label.padEnd(12), loss: "-", tps: "-", extra: "" });
      return {
        update(step, info) {
          bar.update(step, { loss: fmtNum(info?.loss), tps: info?.tokensPerSec ? Math.round(info.tokensPerSec) : "-", extra: extras(info) });
        },
        done(note) {
          bar.stop();
          if (note) multi.log(`${label}: ${note}\n`);
        },
      };
    },
    info(line) {
      multi.log(line.endsWith("\n") ? line : line + "\n");
    },
    stop() {
      multi.stop();
    },
  };
}

function plainProgress(stream: NodeJS.WritableStream, intervalMs: number): Progress {
  const write = (s: string) => stream.write(s.endsWith("\n") ? s : s + "\n");
  return {
    stage(label, total, startStep = 0) {
      const t0 = Date.now();
      let last = 0;
      let lastStep = startStep;
      let lastInfo: StepInfo | undefined;
      let printed = -1;
      const line = (step: number, info?: StepInfo) => {
        printed = step;
        const elapsed = (Date.now() - t0) / 1000;
        const rate = (step - startStep) / Math.max(elapsed, 1e-9);
        const eta = rate > 0 ? (total - step) / rate : NaN;
        const parts = [`[${label}] step ${step}/${total}`, `loss ${fmtNum(info?.loss)}`];
        if (info?.tokensPerSec) parts.push(`${Math.round(info.tokensPerSec)} tok/s`);
        const ex = extras(info);
        if (ex) parts.push(ex);
        parts.push(step >= total ? `${fmtDuration(elapsed)}` : `ETA ${fmtDuration(eta)}`);
        write(parts.join("  "));
      };
      write(`[${label}] ${startStep > 0 ? `resuming at step ${startStep} of ${total}` : `${total} steps`}`);
      return {
        update(step, info) {
          lastStep = step;
          lastInfo = info;
          const now = Date.now();
          if (now - last >= intervalMs) {
            last = now;
            line(step, info);
          }
        },
        done(note) {
          if (lastStep > startStep && printed !== lastStep) line(lastStep, lastInfo);
          if (note) write(`[${label}] ${note}`);
        },
      };
    },
    info: write,
    stop() {},
  };
}
