// Stop an `alignc` process at a chosen moment of its writing: the signal is sent as soon as a name the
// test picks (a temp file, a staging folder, a renamed target) appears in a folder it watches, so it
// lands inside the write rather than at a wall-clock time that depends on the machine's speed.
import { spawn } from "node:child_process";
import { watch } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../repo-root.js";

export interface Stopped {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** whether the watched name appeared (and the signal was sent) before the process ended */
  fired: boolean;
}

/**
 * Run `alignc ARGS` in `cwd`, and send `signals` (in order, `gapMs` apart) once a name for which
 * `when(name)` holds appears in `watchDir`.
 */
export function signalAt(args: string[], o: { cwd: string; watchDir: string; when: (name: string) => boolean; signals: NodeJS.Signals[]; gapMs?: number; env?: NodeJS.ProcessEnv }): Promise<Stopped> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot(), "bin", "alignc.js"), ...args], { cwd: o.cwd, env: { ...process.env, NO_COLOR: "1", ...o.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    let fired = false;
    const watcher = watch(o.watchDir, (_event, name) => {
      if (fired || !name || !o.when(name.toString())) return;
      fired = true;
      watcher.close();
      o.signals.forEach((sig, i) => (i === 0 ? child.kill(sig) : setTimeout(() => child.kill(sig), i * (o.gapMs ?? 2))));
    });
    child.on("close", (code, signal) => {
      watcher.close();
      resolve({ code, signal, stdout, stderr, fired });
    });
  });
}
