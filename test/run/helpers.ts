// Test helpers shared by test/run/*.test.ts: temp folders, and child processes that run a fixture
// script both under tsx (development: .ts) and compiled (npm test: dist/…/.js).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawn, type ChildProcess } from "node:child_process";
import type { RunRecipeResult } from "../../src/run/run-recipe.js";

export function tempDir(prefix = "alignc-run-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A temp folder holding `files` (path → content, folders made) and the recipe `src` as `name`. */
export function recipeInTempDir(files: Record<string, string>, src: string, name = "r.align"): { dir: string; file: string; cleanup: () => void } {
  const { dir, cleanup } = tempDir();
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const file = join(dir, name);
  writeFileSync(file, src);
  return { dir, file, cleanup };
}

/** Path of fixtures/NAME as it exists in this build (.js compiled, .ts under tsx). */
export function fixture(name: string): string {
  for (const ext of [".js", ".ts"]) {
    const p = fileURLToPath(new URL(`./fixtures/${name}${ext}`, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error(`fixture ${name} not found`);
}

/** Spawn a fixture with the same loader flags as this process (so tsx works in development). `stdin`: "pipe" to write to it. */
export function spawnFixture(name: string, args: string[], env: NodeJS.ProcessEnv = {}, stdin: "ignore" | "pipe" = "ignore"): ChildProcess {
  return spawn(process.execPath, [...process.execArgv, fixture(name), ...args], {
    stdio: [stdin, "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
}

/**
 * Resolve when the child printed a line containing `text` on stdout; reject when its output ends
 * without it. The timer is only a backstop for a child that hangs.
 */
export function waitForLine(child: ChildProcess, text: string, timeoutMs = 300_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => reject(new Error(`timed out waiting for "${text}"; got: ${buf.slice(-500)}`)), timeoutMs);
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      if (buf.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    // "close", not "exit": at "exit" the child's last output may still be in the pipe
    child.once("close", (code) => {
      clearTimeout(timer);
      if (!buf.includes(text)) reject(new Error(`child exited ${code} before "${text}"; got: ${buf.slice(-500)}`));
    });
  });
}

/** The child's exit once its output has all been read ("close": at "exit" the last lines may still be in the pipe). */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    const closed = child.stdout?.closed !== false && child.stderr?.closed !== false;
    if (closed && (child.exitCode !== null || child.signalCode !== null)) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("close", (code, signal) => resolve({ code, signal }));
  });
}

/** A run's outcome, or the reason it did not start or failed, thrown (for tests whose runs must succeed). */
export function outcome(r: RunRecipeResult) {
  if (!r.ok) throw new Error(`run did not start: ${r.message ?? r.diagnostics.map((d) => d.message).join("; ")}`);
  if (r.outcome.error) throw r.outcome.error;
  return r.outcome;
}
