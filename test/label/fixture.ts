// A labeling fixture: a temp folder with a candidates file, a recipe whose candidates source writes
// to labels.jsonl (read by its rankings source), and helpers to serve it and call its API.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Page } from "playwright-core";
import { repoRoot } from "../repo-root.js";
import { checkRecipeFile } from "../../src/check/index.js";
import { loadLabelConfig } from "../../src/label/candidates.js";
import { startLabelServer, type LabelServer } from "../../src/label/server.js";
import { LabelSession } from "../../src/label/session.js";

export interface Fixture {
  dir: string;
  recipe: string;
  labels: string;
  cleanup(): void;
}

/** Candidate set n: a prompt and K responses (an arithmetic question and its answers, the first correct). */
export function candidateRow(n: number, k = 4, extra: Record<string, string> = {}): Record<string, unknown> {
  const answer = String(n + 1);
  const responses = [answer, `Sure! Here is ${answer}`, String(n + 7), "qxzj"].slice(0, k);
  while (responses.length < k) responses.push(`other ${responses.length}`);
  return { prompt: `What is ${n} + 1?`, responses, answer, ...extra };
}

export function makeFixture(opts: { sets?: number; rows?: Record<string, unknown>[]; overlap?: number; guidelines?: string } = {}): Fixture {
  const dir = mkdtempSync(join(tmpdir(), "alignc-label-"));
  const rows = opts.rows ?? Array.from({ length: opts.sets ?? 6 }, (_, i) => candidateRow(i));
  writeFileSync(join(dir, "cands.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const recipe = join(dir, "r.align");
  writeFileSync(
    recipe,
    `recipe labeltest { seed = 3 }
source cands = jsonl("cands.jsonl") as candidates {
  labels = prefs
  overlap = ${opts.overlap ?? 0.2}
  guidelines = ${JSON.stringify(opts.guidelines ?? "Prefer correct, concise answers.")}
}
source prefs = jsonl("labels.jsonl") as rankings { k = 2..9 }
`,
  );
  return { dir, recipe, labels: join(dir, "labels.jsonl"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function openSession(recipeFile: string, clock?: () => Date): Promise<LabelSession> {
  const { recipe, diagnostics } = await checkRecipeFile(recipeFile);
  assert.ok(recipe, JSON.stringify(diagnostics));
  return new LabelSession(await loadLabelConfig(recipe, "cands"), clock);
}

export async function serve(recipeFile: string, clock?: () => Date): Promise<{ server: LabelServer; session: LabelSession; api: Api }> {
  const session = await openSession(recipeFile, clock);
  const server = await startLabelServer(session);
  return { server, session, api: apiFor(server.url) };
}

export interface Api {
  base: string;
  token: string;
  get(path: string): Promise<{ status: number; body: any }>;
  post(path: string, body: unknown): Promise<{ status: number; body: any }>;
}

export function apiFor(url: string): Api {
  const u = new URL(url);
  const token = u.searchParams.get("token")!;
  const base = `${u.protocol}//${u.host}`;
  const call = async (path: string, init: RequestInit = {}) => {
    const r = await fetch(base + path, { ...init, headers: { "x-alignc-token": token, ...(init.body ? { "content-type": "application/json" } : {}), ...(init.headers ?? {}) } });
    return { status: r.status, body: await r.json().catch(() => null) };
  };
  return { base, token, get: (path) => call(path), post: (path, body) => call(path, { method: "POST", body: JSON.stringify(body) }) };
}

let n = 0;
/** A fresh submission id, as the page makes them. */
export const sid = (): string => `sub-${process.pid}-${Date.now().toString(36)}-${(n++).toString(36)}`;

/** A label for a set of K responses: ratings descending by index, response 2 and 3 tied. */
export function labelBody(labeler: string, set: string, k: number, submission = sid()): Record<string, unknown> {
  const ranks = Array.from({ length: k }, (_, i) => (k >= 4 && i === 3 ? 2 : i));
  return { submission, labeler, set, ratings: Array.from({ length: k }, (_, i) => Math.max(1, 7 - i)), flags: Array.from({ length: k }, (_, i) => (i === k - 1 ? ["fails_instruction"] : [])), ranks, seconds: 12.5 };
}

const BIN = join(repoRoot(), "bin", "alignc.js");

/** `alignc label r.align --source cands` as a child process in the fixture's folder; resolves once it printed its URL. */
export async function startChild(dir: string, port?: number, recipe = "r.align", env: NodeJS.ProcessEnv = process.env): Promise<{ child: ChildProcess; url: string; api: Api; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, "label", recipe, "--source", "cands", ...(port ? ["--port", String(port)] : [])], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d) => (err += String(d)));
  const first = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`alignc label exited ${code} before printing its URL: ${err}`)));
  });
  assert.match(first, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{20,}$/, "the first line of output is the page's URL");
  return { child, url: first, api: apiFor(first), stderr: () => err };
}

/**
 * The exit code once the child has exited and its output has all been read (null when a signal ended
 * it). "close", not "exit": at "exit" the last lines the child wrote may still be in the pipe.
 */
export const exited = (child: ChildProcess): Promise<number | null> =>
  child.stdout?.closed !== false && child.stderr?.closed !== false && (child.exitCode !== null || child.signalCode !== null)
    ? Promise.resolve(child.exitCode)
    : new Promise((r) => child.once("close", (code) => r(code)));

declare const document: any; // inside page.waitForFunction callbacks, which run in the page (no DOM lib in tsconfig)

/**
 * The id of the set the labeling page shows once it takes keys: a set is shown (#work visible, its id
 * in data-set) and no submission is being saved (#work aria-busy; keys pressed then are ignored).
 * `other`: wait for a set other than this one (the one just submitted or skipped). A state, not a
 * time: under load the next set can come well after the progress line of the last submission.
 */
export async function shownSet(page: Page, other = ""): Promise<string> {
  await page.waitForFunction((prev: string) => {
    const work = document.querySelector("#work");
    return !work.hidden && !work.hasAttribute("aria-busy") && !!work.dataset.set && work.dataset.set !== prev && !!document.querySelector("#responses .card");
  }, other);
  return (await page.getAttribute("#work", "data-set"))!;
}

/** The micro labeling loop (test/label/fixtures/label-loop.align) copied into a temp folder, its data paths made absolute. */
export function loopFixture(): Fixture {
  const dir = mkdtempSync(join(tmpdir(), "alignc-label-loop-"));
  const src = readFileSync(join(repoRoot(), "test", "label", "fixtures", "label-loop.align"), "utf8").replaceAll('"../../../', `"${repoRoot()}/`);
  const recipe = join(dir, "label-loop.align");
  writeFileSync(recipe, src);
  return { dir, recipe, labels: join(dir, "labels.jsonl"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
