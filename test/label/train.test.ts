// The loop closes: candidate sets labeled through the server (here by the demo's rule, as a labeler
// would click) land in the file the recipe's rankings source reads, and a reward model trains on them
// in the micro recipe; `--stats` finds the labels in full agreement with the rule.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ruleClass } from "../../src/run/evaluation/rule-judge.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { labelStats } from "../../src/label/stats.js";
import { microRecipe, repoRoot } from "../run/micro.js";
import { tempDir } from "../run/helpers.js";
import { serve, sid } from "./fixture.js";

test("labels from alignc label train the micro recipe's reward model", async (t) => {
  const { dir, cleanup } = tempDir();
  try {
    const data = join(repoRoot(), "recipes", "data");
    const src = microRecipe({ name: "micro_labels" }).replace(
      /source prefs = jsonl\("[^"]+"\) as rankings \{[^}]*\}/,
      `source cands = jsonl("${data}/rankings.jsonl") as candidates { labels = prefs  overlap = 0  limit = 40 }\nsource prefs = jsonl("labels.jsonl") as rankings { k = 4..9  holdout = 0.2 }`,
    );
    assert.ok(src.includes("as candidates"));
    const recipe = join(dir, "micro_labels.align");
    writeFileSync(recipe, src);

    // the rule labeler: ranks by the demo rule's classes (equal classes tie), rates 7 − class
    const answers = new Map<string, string>();
    // every row's answer: which 40 rows the candidates source draws is the data layer's (seeded) choice
    for (const l of readFileSync(join(data, "rankings.jsonl"), "utf8").split("\n").filter((x) => x.trim())) {
      const row = JSON.parse(l) as { prompt: string; answer: string };
      answers.set(row.prompt, row.answer);
    }
    const { server, api } = await serve(recipe);
    let labeled = 0;
    try {
      for (;;) {
        const set = (await api.get("/api/next?labeler=rule")).body.set as { id: string; prompt: string; responses: string[] } | null;
        if (!set) break;
        const classes = set.responses.map((r) => ruleClass(r, answers.get(set.prompt)!));
        const levels = [...new Set(classes)].sort((a, b) => a - b);
        const body = { submission: sid(), labeler: "rule", set: set.id, ranks: classes.map((c) => levels.indexOf(c)), ratings: classes.map((c) => 7 - c), flags: classes.map(() => []), seconds: 1 };
        const r = levels.length > 1 ? await api.post("/api/label", body) : await api.post("/api/skip", { ...body, reason: "all tied by the rule" });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        if (levels.length > 1) labeled++;
      }
    } finally {
      await server.close();
    }
    assert.ok(labeled >= 35, `${labeled} labeled`);

    const s = labelStats(join(dir, "labels.jsonl"));
    assert.equal(s.labels, labeled);
    assert.equal(s.rule!.all.rate, 1, "the file says what the rule said");

    const r = await runRecipe(recipe, { runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: createProgress({ quiet: true }), until: "rm_acc", workers: 1 });
    assert.ok(r.ok, r.ok ? "" : `${r.message} ${JSON.stringify(r.diagnostics)}`);
    if (r.outcome.error) throw r.outcome.error;
    const nodes = Object.fromEntries(r.outcome.manifest.nodes.map((n) => [n.id, n]));
    assert.equal(nodes.rm!.status, "computed");
    assert.equal(nodes.rm_acc!.status, "computed");
    const acc = nodes.rm_acc!.summary!.accuracy!;
    assert.ok(acc >= 0 && acc <= 1, String(acc));
    t.diagnostic(`${labeled} labels; micro RM (4 steps) held-out pair accuracy ${acc.toFixed(3)} (chance 0.5)`);
  } finally {
    cleanup();
  }
});
