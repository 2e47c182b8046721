// `npm run bench -- templates`: FLAN template renders per second, alignc vs Python's jinja2, on the
// same templates and rows in one run. Templates: FLAN's v1 patterns for sst2/rte/bool_q with the
// shared SST-2/RTE/BoolQ rows when ../shared/data is present, else the bundled templates/flan/*.hbs
// with recipes/data/tasks rows. Both sides compile once, then time only the render loop.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadFlanTemplates, loadTemplateDir, SEPARATOR } from "../../src/data/flan/loaders.js";
import type { TaskTemplate } from "../../src/data/flan/template.js";
import type { Fields } from "../../src/data/readers.js";

const ROOT = (() => {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, "package.json")) && dirname(d) !== d) d = dirname(d);
  return d;
})();
const SHARED = resolve(ROOT, "../shared/data");
const GOAL = 5;

interface Case {
  name: string;
  templates: TaskTemplate[];
  jinja: { input: string; target: string }[]; // the same templates in Jinja syntax
  rows: Fields[];
}

/** Python `{name}` pattern → Jinja (`{{ name }}`), literal text kept verbatim inside raw blocks. */
function pyToJinja(p: string): string {
  let out = "";
  let lit = "";
  const flush = () => {
    if (lit) out += /[{}%#]/.test(lit) ? `{% raw %}${lit}{% endraw %}` : lit;
    lit = "";
  };
  for (let i = 0; i < p.length; i++) {
    if ((p[i] === "{" && p[i + 1] === "{") || (p[i] === "}" && p[i + 1] === "}")) {
      lit += p[i];
      i++;
    } else if (p[i] === "{") {
      const close = p.indexOf("}", i);
      flush();
      out += `{{ ${p.slice(i + 1, close)} }}`;
      i = close;
    } else lit += p[i];
  }
  flush();
  return out;
}

const OPTIONS = (opts: string[]) => "OPTIONS:\n- " + opts.join("\n- ");

function flanCases(): Case[] {
  const file = join(SHARED, "flan/flan_templates.json");
  const all = JSON.parse(readFileSync(file, "utf8")) as { tasks: Record<string, { v1: { input: string; target: string }[] }> };
  const lines = (p: string, n: number) => readFileSync(join(SHARED, p), "utf8").split("\n").filter(Boolean).slice(0, n);
  const sst = lines("nlp/sst2/stsa.binary.dev", 200).map((l) => ({ sentence: l.slice(2), answer: ["negative", "positive"][Number(l[0])]!, options_: OPTIONS(["negative", "positive"]) }));
  const rte = lines("nlp/rte/val.jsonl", 200).map((l) => {
    const r = JSON.parse(l) as { premise: string; hypothesis: string; label: string };
    return { premise: r.premise, hypothesis: r.hypothesis, answer: r.label === "entailment" ? "yes" : "no", options_: OPTIONS(["yes", "no"]) };
  });
  const bq = lines("nlp/boolq/validation.jsonl", 200).map((l) => {
    const r = JSON.parse(l) as { question: string; title: string; passage: string; answer: boolean };
    return { question: r.question, title: r.title, text: r.passage, answer: r.answer ? "yes" : "no", options_: OPTIONS(["no", "yes"]) };
  });
  return (
    [
      ["sst2", sst],
      ["rte", rte],
      ["bool_q", bq],
    ] as [string, Fields[]][]
  ).map(([task, rows]) => ({
    name: `flan:${task}`,
    templates: loadFlanTemplates(file, task).templates,
    jinja: all.tasks[task]!.v1.map((p) => ({ input: pyToJinja(p.input), target: pyToJinja(p.target) })),
    rows,
  }));
}

function bundledCases(): Case[] {
  return ["sentiment", "addition", "uppercase"].map((task) => {
    const dir = join(ROOT, "templates/flan", task);
    const files = readdirSync(dir).filter((f) => f.endsWith(".hbs")).sort();
    const jinja = files.map((f) => {
      const lines = readFileSync(join(dir, f), "utf8").replace(/\n+$/, "").split("\n").filter((l) => !l.startsWith("{{!--"));
      const sep = lines.indexOf(SEPARATOR);
      return { input: lines.slice(0, sep).join("\n"), target: lines.slice(sep + 1).join("\n") };
    });
    const rows = readFileSync(join(ROOT, "recipes/data/tasks", `${task}.jsonl`), "utf8").trim().split("\n").map((l) => ({ ...(JSON.parse(l) as Fields), options_: "" }));
    return { name: `bundled:${task}`, templates: loadTemplateDir(dir), jinja, rows };
  });
}

function timeAlignc(cases: Case[], minMs: number): number {
  let renders = 0;
  let sink = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs) {
    for (const c of cases)
      for (const tp of c.templates)
        for (const row of c.rows) {
          const r = tp.render(row);
          // reading a character flattens V8's lazy concatenation (rope), so the text really exists
          sink += r.input.charCodeAt(r.input.length >> 1) + r.target.charCodeAt(0);
          renders++;
        }
    t = performance.now();
  }
  if (sink < 0) console.log(sink);
  return renders / ((t - t0) / 1000);
}

const PY = `
import json, sys, time, jinja2
cases = json.load(sys.stdin)
env = jinja2.Environment()
compiled = [([(env.from_string(t['input']), env.from_string(t['target'])) for t in c['jinja']], c['rows']) for c in cases]
min_s = float(sys.argv[1])
renders = 0; sink = 0
t0 = time.perf_counter(); t = t0
while t - t0 < min_s:
    for temps, rows in compiled:
        for ti, tt in temps:
            for row in rows:
                sink += len(ti.render(row)) + len(tt.render(row)); renders += 1
    t = time.perf_counter()
samples = [[ti.render(rows[0]), tt.render(rows[0])] for temps, rows in compiled for ti, tt in temps]
print(json.dumps({"renders_per_s": renders / (t - t0), "version": jinja2.__version__, "samples": samples}))
`;

function timeJinja(cases: Case[], minMs: number): { rate: number; version: string; samples: string[][] } | string {
  const probe = spawnSync("python3", ["-c", "import jinja2"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) return "python3 with jinja2 is not available";
  const input = JSON.stringify(cases.map((c) => ({ jinja: c.jinja, rows: c.rows })));
  const r = spawnSync("python3", ["-c", PY, String(minMs / 1000)], { input, encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) return `jinja2 run failed: ${r.stderr}`;
  const o = JSON.parse(r.stdout) as { renders_per_s: number; version: string; samples: string[][] };
  return { rate: o.renders_per_s, version: o.version, samples: o.samples };
}

const cases = existsSync(join(SHARED, "flan/flan_templates.json")) ? flanCases() : bundledCases();
const nTemplates = cases.reduce((a, c) => a + c.templates.length, 0);
const nRows = cases.reduce((a, c) => a + c.rows.length, 0);
console.log(`templates bench: ${cases.map((c) => c.name).join(", ")} — ${nTemplates} templates, ${nRows} rows (each render = input + target part)`);
timeAlignc(cases, 300); // warm-up (JIT)
const alignc = timeAlignc(cases, 2000);
console.log(`alignc: ${Math.round(alignc).toLocaleString("en-US")} renders/s (node ${process.version})`);
const jinja = timeJinja(cases, 2000);
if (typeof jinja === "string") {
  console.log(`jinja2 baseline skipped: ${jinja}`);
  console.log(`templates: skipped (no jinja2 baseline; alignc ${Math.round(alignc)} renders/s) (goal >= ${GOAL})`);
} else {
  const ours = cases.flatMap((c) => c.templates.map((t) => t.render(c.rows[0]!)));
  const same = ours.every((o, i) => o.input === jinja.samples[i]![0] && o.target === jinja.samples[i]![1]);
  console.log(`same text from both engines on the first row of every template: ${same ? "yes" : "NO"}`);
  console.log(`jinja2 ${jinja.version}: ${Math.round(jinja.rate).toLocaleString("en-US")} renders/s (python3, templates compiled once)`);
  console.log(`templates: ${(alignc / jinja.rate).toFixed(1)}x jinja2 (goal >= ${GOAL})`);
}
