// Which modules an `alignc` process loads: the CLI runs with `--import` of a small preload that
// registers a resolve hook (every ESM import, packages imported from ESM included) and, at exit,
// adds the CommonJS cache (modules reached through require or createRequire). Used by
// test/cli/lazy-load.test.ts and `npm run bench -- check` (which also reads the CPU time and peak
// RSS the preload prints).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const HOOKS = `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (process.env.ALIGNC_TRACE_OUT) appendFileSync(process.env.ALIGNC_TRACE_OUT, r.url + "\\n");
  return r;
}
`;

const PRELOAD = (hooks: string | null) => `import { register, createRequire } from "node:module";
import { appendFileSync } from "node:fs";
${hooks ? `register(${JSON.stringify(hooks)});` : "void register;"}
process.on("exit", () => {
  const out = process.env.ALIGNC_TRACE_OUT;
  if (out) appendFileSync(out, Object.keys(createRequire(import.meta.url).cache).map((f) => "cjs:" + f).join("\\n") + "\\n");
  const cpu = process.cpuUsage();
  process.stderr.write("trace: cpu_ms " + ((cpu.user + cpu.system) / 1000).toFixed(1) + " max_rss_kb " + process.resourceUsage().maxRSS + "\\n");
});
`;

export interface Traced {
  status: number | null;
  stdout: string;
  stderr: string;
  /** resolved URLs (ESM) and file paths (CommonJS) of every module loaded */
  modules: string[];
  /** the process's own user+system CPU milliseconds, measured at exit */
  cpuMs: number;
  maxRssKb: number;
}

/** A folder holding the preload; remove it with `dispose`. `hooks: false` leaves the ESM resolve hook
 * out (its loader thread costs CPU): only CommonJS modules, CPU time and peak RSS are reported. */
export function makeTracer(opts: { hooks?: boolean } = {}): { preload: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), "alignc-trace-"));
  const hooks = join(dir, "hooks.mjs");
  writeFileSync(hooks, HOOKS);
  const preload = join(dir, "preload.mjs");
  writeFileSync(preload, PRELOAD(opts.hooks === false ? null : pathToFileURL(hooks).href));
  return { preload, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `node --import PRELOAD ...args` and reads back what it loaded. */
export function traced(preload: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Traced {
  const out = join(mkdtempSync(join(tmpdir(), "alignc-trace-out-")), "modules.txt");
  writeFileSync(out, "");
  const r = spawnSync(process.execPath, ["--import", pathToFileURL(preload).href, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    env: { ...process.env, ...opts.env, ALIGNC_TRACE_OUT: out, NO_COLOR: "1" },
  });
  const modules = [...new Set(readFileSync(out, "utf8").split("\n").filter(Boolean))];
  rmSync(join(out, ".."), { recursive: true, force: true });
  const m = /trace: cpu_ms ([\d.]+) max_rss_kb (\d+)/.exec(r.stderr);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.replace(/^trace: .*\n?/m, ""), modules, cpuMs: m ? Number(m[1]) : NaN, maxRssKb: m ? Number(m[2]) : NaN };
}
