// report.html for a run directory: status and expectations, eval results (each figure beside its
// baseline, counts and p-value), SVG plots of loss / reward / KL / accuracy per stage (from
// metrics.jsonl), a few judged samples per eval (from samples.jsonl) and the plan. One self-contained file: inline CSS and SVG, no script.
import { REPORT_HEAD, RunDir, reportableManifest, type Manifest, type MetricRow, type NodeRecord, type SampleRow } from "../storage/rundir.js";
import { escapeHtml, linePlot, type Series } from "./svg.js";
import { fmtBytes, fmtDuration, fmtNum, fmtP } from "./format.js";
import { SPLIT_WORDS } from "../../data/bad-rows.js";
import { mixedBackendsNote } from "./backends.js";
import { evalHeadline, summaryText } from "./eval-headline.js";
import { stageHeadline } from "./stage-headline.js";
import { evalCaveats, leaksFound, tokenizerNotes } from "./caveats.js";
import { ruleReference } from "../../data/demo/rule.js";
import { VAL_DURING, VAL_FINAL } from "../../train/config.js";

/** Plots per stage, each a group of metrics drawn together; others go under "more metrics". */
const MAIN_GROUPS: { title: string; metrics: string[] }[] = [
  { title: "loss", metrics: ["loss", "val_loss_during", "ptx_loss"] },
  { title: "reward", metrics: ["reward", "reward_mean", "score"] },
  { title: "KL", metrics: ["kl"] },
  { title: "accuracy", metrics: ["batch_accuracy", "heldout_accuracy"] },
];
// counts, p-values and one-point baselines are read beside their figure (the summary, the gains), not as curves
const NOT_PLOTTED = new Set(["stage", "step", "time", "node", "cached", "greedy_rule_wins", "greedy_rule_ties", "greedy_rule_losses", "greedy_rule_p_value", "heldout_accuracy_length_baseline"]);

function seriesOf(rows: MetricRow[], metric: string): Series {
  return { name: metric, points: rows.filter((r) => typeof r[metric] === "number").map((r) => [r.step, r[metric] as number]) };
}

function stagePlots(stage: string, rows: MetricRow[]): string {
  const used = new Set<string>();
  const plots: string[] = [];
  for (const g of MAIN_GROUPS) {
    const series = g.metrics.map((m) => seriesOf(rows, m)).filter((s) => s.points.length > 0);
    series.forEach((s) => used.add(s.name));
    if (series.length) plots.push(linePlot(`${stage}: ${g.title}`, series));
  }
  const others = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => !NOT_PLOTTED.has(k) && !used.has(k) && rows.some((r) => typeof r[k] === "number")).sort();
  const more = others.map((m) => linePlot(`${stage}: ${m}`, [seriesOf(rows, m)]));
  const valNote = used.has("val_loss_during") ? `<p><small>val_loss_during: on the first ${VAL_DURING} held-out sequences, or all where there are fewer (the same ones at every step); the stage's summary's val_loss (the table above): on the first ${VAL_FINAL}, or all.</small></p>` : "";
  return `<section class="stage"><h3>${escapeHtml(stage)}</h3><div class="plots">${plots.join("")}</div>${valNote}${more.length ? `<details><summary>more metrics (${others.join(", ")})</summary><div class="plots">${more.join("")}</div></details>` : ""}</section>`;
}

/** "val_loss 4.4 → 0.8" for each metric a stage measured before and after training. */
export function stageGains(s: Record<string, number>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(s)) {
    if (!k.endsWith("_before")) continue;
    const after = s[k.slice(0, -"_before".length)];
    const name = k.slice(0, -"_before".length);
    // beside its baseline: the best constant distribution's loss, or a pair accuracy's chance
    // PPO's greedy rule score on its probe, with the paired counts and sign test the summary holds
    // beside it (a gain of 3 decided prompts in 64 is no claim: p 0.092 on the quickstart; audit 32)
    const probe = name === "greedy_rule_score" && s.greedy_rule_p_value !== undefined ? ` (probe W${s.greedy_rule_wins}/T${s.greedy_rule_ties}/L${s.greedy_rule_losses}, sign test p ${fmtP(s.greedy_rule_p_value)})` : "";
    const byLength = s[`${name}_length_baseline`] !== undefined ? `, length alone ${fmtNum(s[`${name}_length_baseline`]!)}` : "";
    const baseline = s[`${name}_baseline`] !== undefined ? ` (best constant distribution ${fmtNum(s[`${name}_baseline`]!)})` : name.endsWith("accuracy") ? ` (chance 0.5${byLength})` : probe;
    if (after !== undefined) out.push(`${name} ${fmtNum(v)} → ${fmtNum(after)}${baseline}`);
  }
  // PPO's sampled reward, first → last tenth of its steps, is no gain: rollouts of different prompt batches,
  // whose noise is of the size of the change (a PPO at lr 1e-12 'gained' 5.586 → 6.046 where the real run's
  // +1.26: figures38 #7); its curve is under the training curves, the greedy probe above is the before → after
  return out;
}

function table(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")}</tbody></table>`;
}


function summaryCell(kind: string, s: Record<string, number> | undefined): string {
  return s ? escapeHtml(kind.startsWith("stage.") ? stageHeadline(s) : summaryText(s)) : "";
}

/** Judged samples shown per eval; the rest stay in samples.jsonl. */
const SAMPLES_SHOWN = 8;

// a reward model's tied pair is credited ½ (pair-credit.ts): shown as a tie, not as wrong
const mark = (ok: unknown): string => (ok === true ? `<span class="ok">✓</span>` : ok === false ? `<span class="bad">✗</span>` : ok === "tie" ? "tie (½)" : "");
const pre = (t: unknown): string => `<pre>${escapeHtml(String(t ?? ""))}</pre>`;
/** A sample's prompt as the model was asked it: its system text above it, when it had one. */
// every field as text, as pre() does: a samples.jsonl edited by hand (a `system` of 5) stopped the report
// with an unlocated TypeError (audit35 M4)
const asked = (s: SampleRow): string => `${s.system ? `<small>system: ${escapeHtml(String(s.system))}</small>` : ""}${pre(s.prompt)}`;

/** The rows shown for one eval: with several tasks, a few of each in turn (at least 3 of each when
 * the eval recorded them), so no task's samples are crowded out by the first task's. */
export function samplesShown(rows: SampleRow[]): SampleRow[] {
  const byTask = new Map<string, SampleRow[]>();
  for (const r of rows) {
    const t = typeof r.task === "string" ? r.task : "";
    byTask.set(t, [...(byTask.get(t) ?? []), r]);
  }
  if (byTask.size <= 1) return rows.slice(0, SAMPLES_SHOWN);
  const cap = Math.max(SAMPLES_SHOWN, 3 * byTask.size);
  const queues = [...byTask.values()];
  const out: SampleRow[] = [];
  for (let i = 0; out.length < cap && queues.some((q) => i < q.length); i++) for (const q of queues) if (i < q.length && out.length < cap) out.push(q[i]!);
  return out;
}

function samplesSection(samples: SampleRow[]): string {
  if (samples.length === 0) return "<p>No samples were recorded.</p>";
  const byEval = new Map<string, SampleRow[]>();
  for (const s of samples) byEval.set(s.eval, [...(byEval.get(s.eval) ?? []), s]);
  const parts: string[] = [];
  for (const [name, rows] of byEval) {
    const shown = samplesShown(rows);
    // as text: a hand-edited samples.jsonl's `model` of 5 stopped the report with a TypeError (reviewR42 L1)
    const aName = String(shown[0]?.a?.model ?? "a");
    const bName = String(shown[0]?.b?.model ?? "b");
    parts.push(`<h3>${escapeHtml(name)}${shown[0]?.judge ? ` <small>(judge: ${escapeHtml(shown[0].judge)}${typeof shown[0].judge_note === "string" ? `, ${escapeHtml(shown[0].judge_note)}` : ""})</small>` : ""}</h3>`);
    const score = (x: SampleRow["a"]) => (x?.score !== undefined ? `<small>score ${fmtNum(x.score)}</small>` : "");
    if (!shown.some((s) => s.b)) {
      // accuracy: the target, the model's answer, right or wrong
      // and the baseline's answer for its task (the console's "the constant: always …", absent here: figuresP41)
      const tasks = shown.some((s) => typeof s.task === "string");
      const constant = shown.some((s) => typeof s.constant === "string");
      parts.push(
        table(
          [...(tasks ? ["task"] : []), "prompt", "target", aName, "", ...(constant ? ["the constant (baseline)"] : [])],
          shown.map((s) => [...(tasks ? [escapeHtml(String(s.task ?? ""))] : []), asked(s), pre(s.reference), pre(s.a?.text), mark(s.correct), ...(constant ? [pre(s.constant)] : [])]),
        ),
      );
    } else if (shown.some((s) => s.winner)) {
      // win rate: both answers, the reference, the winner. Under the rule judge the reference as the rule
      // reads it: a reference written after the preamble is judged as its concise answer, so showing it
      // as written put "Sure! Here is 4" above a concise "4" that won (figuresP41: LIMA's samples)
      const byRule = shown.every((s) => s.judge === "rule");
      parts.push(
        table(
          ["prompt", byRule ? "reference (as the rule reads it)" : "reference", aName, bName, "winner"],
          shown.map((s) => [asked(s), pre(byRule && typeof s.reference === "string" ? ruleReference(s.reference) : s.reference), `${pre(s.a?.text)}${score(s.a)}`, `${pre(s.b?.text)}${score(s.b)}`, escapeHtml(s.winner === "a" ? aName : s.winner === "b" ? bName : String(s.winner ?? ""))]),
        ),
      );
    } else {
      // reward-model accuracy: the labelled pair and whether the RM scored it the same way
      parts.push(table(["prompt", aName, bName, "RM agrees"], shown.map((s) => [asked(s), `${pre(s.a?.text)}${score(s.a)}`, `${pre(s.b?.text)}${score(s.b)}`, mark(s.correct)])));
    }
    if (rows.length > shown.length) parts.push(`<p><small>${rows.length - shown.length} more in samples.jsonl</small></p>`);
  }
  return parts.join("");
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ddd;padding:4px 8px;vertical-align:top;text-align:left}
th{background:#f5f5f5}pre{margin:0;white-space:pre-wrap;max-width:360px;font-size:12px}
.plots{display:flex;flex-wrap:wrap;gap:8px}.ok{color:#2a7a2a}.bad{color:#b00020;font-weight:bold}
code{background:#f3f3f3;padding:0 3px}details pre{max-width:none}`;

export function renderReport(run: RunDir): string {
  const m: Manifest = reportableManifest(run.readManifest(), run.file("manifest.json"));
  const metrics = run.readMetrics();
  const samples = run.readSamples();
  const plan = run.readPlan();
  const evalLabels = new Set(m.nodes.filter((n) => n.kind.startsWith("eval.")).map((n) => n.label));
  const stages = [...new Set(metrics.map((r) => r.stage))].filter((s) => !evalLabels.has(s));
  const elapsed = m.finished ? (Date.parse(m.finished) - Date.parse(m.created)) / 1000 : NaN;
  const status = m.status === "ok" ? `<span class="ok">ok</span>` : `<span class="bad">${escapeHtml(m.status)}</span>`;
  const parts: string[] = [];
  parts.push(`${REPORT_HEAD}${escapeHtml(m.runId)}</title><style>${CSS}</style></head><body>`);
  parts.push(`<h1>${escapeHtml(m.recipe.name)} <small>${escapeHtml(m.runId)}</small></h1>`);
  parts.push(
    `<p>Status ${status}${m.exitCode !== null ? ` (exit ${m.exitCode})` : ""} · backend <code>${escapeHtml(m.backend)}</code> · seed ${m.seed}${m.workers !== undefined ? ` · workers ${m.workers}` : ""}${m.tiny ? " · <b>--tiny</b>" : ""} · ${Number.isFinite(elapsed) ? fmtDuration(elapsed) : "running"} · cache ${m.cache.hits} hit(s), ${m.cache.misses} computed${m.cache.generations && m.cache.generations.cached + m.cache.generations.generated ? ` (greedy answer sets: ${m.cache.generations.cached} read back, ${m.cache.generations.generated} generated)` : ""}${m.peakRssBytes !== undefined ? ` · peak RSS ${fmtBytes(m.peakRssBytes)}` : ""} · alignc ${escapeHtml(m.alignc)} · ${escapeHtml(m.host.hostname)} (${m.host.cpus} × ${escapeHtml(m.host.cpuModel)}, Node ${escapeHtml(m.host.node)})</p>`,
  );
  if (m.error) parts.push(`<p class="bad">${escapeHtml(m.error)}</p>`);
  const mixed = mixedBackendsNote(m);
  if (mixed) parts.push(`<p class="bad">${escapeHtml(mixed)}</p>`);
  if (m.expectations.length) {
    parts.push("<h2>Expectations</h2>");
    parts.push(table(["", "condition", "result"], m.expectations.map((e) => [e.ok ? `<span class="ok">✓</span>` : `<span class="bad">✗</span>`, `<code>${escapeHtml(e.text)}</code>`, escapeHtml(e.message)])));
  }
  // rows the data's sources left out under on_error = "skip" (the run trained on a smaller file than it
  // names) and ranked samples without a comparison, counted per split where the source splits first
  const skips = m.nodes.filter((n) => n.skippedRows?.length);
  if (skips.length) {
    parts.push(`<h2>Rows left out</h2>`);
    const reasons = (rs: string[]) => `<ul>${rs.map((r) => `<li><code>${escapeHtml(r)}</code></li>`).join("")}</ul>`;
    parts.push(table(["stage", "source", "split", "file", "rows left out", "first reasons"], skips.flatMap((n) => n.skippedRows!.map((s) => [escapeHtml(n.label), `<code>${escapeHtml(s.source)}</code>`, s.split ? SPLIT_WORDS[s.split] : "all rows", escapeHtml(s.file), String(s.count), reasons(s.reasons)]))));
  }
  const held = heldOut(m);
  const gains = m.nodes.filter((n) => n.kind.startsWith("stage.") && n.summary).map((n) => [n, stageGains(n.summary!)] as const).filter(([, g]) => g.length);
  const evals = m.nodes.filter((n) => n.kind.startsWith("eval") && n.summary);
  // beside every eval figure, here and in the plan table: a judge that is no independent one, a figure
  // that is not held out (caveats.ts, shared with the closing summary; the plan table printed them bare: figuresP41)
  const caveats = evalCaveats(m, samples);
  const mark = (id: string): string => caveats(id).map((x) => (x.bad ? ` <span class="bad">${escapeHtml(x.text)}</span>` : ` <small>${escapeHtml(x.text)}</small>`)).join("");
  if (gains.length || evals.length) parts.push(held.note);
  if (gains.length) {
    parts.push("<h2>What each stage gained</h2>");
    parts.push(table(["stage", "before → after", "measured on"], gains.map(([n, g]) => [escapeHtml(n.label), escapeHtml(g.join("; ")), held.stage(n)])));
  }
  if (evals.length) {
    parts.push("<h2>Evaluations</h2>");
    // a judge that is the reward a compared stage optimised is said beside its figure, as on the console (audit 32)
    parts.push(table(["eval", "kind", "result"], evals.map((n) => [escapeHtml(n.label), escapeHtml(n.kind), escapeHtml(evalHeadline(n.kind, n.summary!)) + mark(n.id)])));
  }
  parts.push("<h2>Training curves</h2>");
  parts.push(stages.length ? stages.map((s) => stagePlots(s, metrics.filter((r) => r.stage === s))).join("") : "<p>No metrics were logged.</p>");
  parts.push("<h2>Samples</h2>");
  parts.push(samplesSection(samples));
  parts.push("<h2>Plan</h2>");
  parts.push(
    table(
      ["node", "kind", "hash", "status", "time", "peak RSS", "final metrics"],
      m.nodes.map((n) => [
        escapeHtml(n.label),
        escapeHtml(n.kind),
        `<code>${escapeHtml(n.hash.replace(/^sha256:/, "").slice(0, 12))}</code>`,
        escapeHtml(n.status + (n.resumedFromStep ? ` from step ${n.resumedFromStep}` : "") + (n.reason ? `: ${n.reason}` : "")),
        n.status === "cached" ? `0s (saved ${fmtDuration(n.savedSeconds ?? 0)}${n.computedOn ? `, computed on ${n.computedOn}` : ""}${n.loggedEvery ? `; rows logged every ${n.loggedEvery} steps by the run that computed it` : ""})` : fmtDuration(n.seconds),
        // monotonic over the run: a node's figure is the process peak up to its end
        n.peakRssBytes !== undefined ? fmtBytes(n.peakRssBytes) : "",
        summaryCell(n.kind, n.summary) + (n.summary && n.kind.startsWith("eval.") ? mark(n.id) : ""),
      ]),
    ),
  );
  if (plan !== null) parts.push(`<details><summary>plan.json</summary><pre>${escapeHtml(JSON.stringify(plan, null, 2))}</pre></details>`);
  parts.push("</body></html>\n");
  return parts.join("\n");
}

/**
 * What "held out" may be written of (the manifest's contamination record, src/data/leaks.ts): a
 * paragraph above the figures and what each stage's before → after is measured on (an eval's own marks:
 * caveats.ts). "Held out" is
 * written only of data the check compared and found in no training pool; PPO's probe reads its own
 * training prompts and is never called held out.
 */
function heldOut(m: Manifest): { note: string; stage: (n: NodeRecord) => string } {
  const c = m.contamination;
  // runs of an earlier build recorded the pairs but not which blocks were compared: none is called held out
  const checked = Array.isArray(c?.checked) ? c.checked : [];
  const notChecked = Array.isArray(c?.notChecked) ? c.notChecked : [];
  const found = leaksFound(m);
  const leaked = (id: string) => (found.has(id) ? ` <span class="bad">⚠ not held out: ${escapeHtml(found.get(id)!.join(", "))}</span>` : "");
  const corpus = tokenizerNotes(m);
  const status = (id: string): string => (found.has(id) ? leaked(id) : checked.includes(id) ? `, held out (checked)${corpus.has(id) ? ` ${escapeHtml(corpus.get(id)!)}` : ""}` : " (not checked for contamination)");
  const stage = (n: NodeRecord): string => {
    if (n.kind === "stage.ppo") return "its own training prompts (a probe: not held out)";
    if (n.kind === "stage.reward_model" || n.kind === "stage.dpo") return `its held-out pairs${status(n.id)}`;
    if (n.kind === "stage.pretrain" || n.kind === "stage.sft") return `its held-out split${status(n.id)}`;
    return "";
  };
  let note: string;
  if (!c) note = `<p>Held-out splits and eval data were <b>not checked</b> for contamination in this run (<code>alignc data RECIPE --leaks</code> checks them).</p>`;
  else if (checked.length === 0 && c.leaks === 0) note = "";
  else if (c.leaks === 0)
    note = `<p>Held out, checked: the evaluated data of ${checked.map((b) => `<code>${escapeHtml(b)}</code>`).join(", ")} is disjoint as text from every training pool of the recipe (contamination check: 0 leaks). Disjoint as text is not untouched by decisions: data a recipe's settings were chosen on is held out from training, not from the choice.${notChecked.length ? ` Not checked: ${notChecked.map((b) => `<code>${escapeHtml(b)}</code>`).join(", ")}, which score the training split by design.` : ""}</p>`;
  else
    note = `<p class="bad">Not all held out: evaluated texts found in training pools (${c.leaks}, counted per pool): ${[...found].map(([b, ls]) => `<code>${escapeHtml(b)}</code>: ${escapeHtml(ls.join(", "))}`).join("; ")}. The figures marked ⚠ score text a stage trained on; <code>alignc data RECIPE --leaks</code> lists them.</p>`;
  return { note, stage };
}

/** Render and write `<run>/report.html`; returns its path. */
export function writeReport(runPath: string): string {
  const run = RunDir.open(runPath);
  return run.writeReport(renderReport(run));
}
