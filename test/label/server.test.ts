// The labeling server through Node's fetch: the token, what a submission writes (fsync'ed, read as is
// by the rankings reader), idempotent resends, refusals, resuming after a restart, and two labelers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readRankings } from "../../src/data/rankings.js";
import { SOURCE_FIELDS } from "../data/source-fields.js";
import { readJsonl } from "../../src/data/readers.js";
import { makeFixture, serve, labelBody, sid, openSession, candidateRow } from "./fixture.js";

const lines = (file: string): any[] =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l)
    .map((l) => JSON.parse(l));

test("every request needs the token: 403 without it or with a wrong one; the page has a strict CSP", async () => {
  const fx = makeFixture();
  const { server, api } = await serve(fx.recipe);
  try {
    assert.equal((await fetch(`${api.base}/`)).status, 403);
    assert.equal((await fetch(`${api.base}/?token=wrong`)).status, 403);
    assert.equal((await fetch(`${api.base}/?token=${api.token}x`)).status, 403);
    for (const path of ["/api/config", "/api/next?labeler=a"]) {
      assert.equal((await fetch(api.base + path)).status, 403, path);
      assert.equal((await fetch(api.base + path, { headers: { "x-alignc-token": "nope" } })).status, 403, path);
    }
    // the token in the query does not open the API (a page of another origin could put it there, not in a header)
    assert.equal((await fetch(`${api.base}/api/config?token=${api.token}`)).status, 403);
    const post = await fetch(`${api.base}/api/label`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(post.status, 403);
    assert.ok(!existsSync(fx.labels), "a refused request writes nothing");

    const page = await fetch(server.url);
    assert.equal(page.status, 200);
    const csp = page.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-[^']+'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(page.headers.get("referrer-policy"), "no-referrer");
    const html = await page.text();
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1]!;
    assert.ok(html.includes(`<script nonce="${nonce}">`));
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i, "no external asset");
    // only the page and its API are served
    for (const path of ["/../package.json", "/api", "/favicon.ico", "/src/label/page.ts"]) assert.equal((await api.get(path)).status, 404, path);
    assert.equal((await api.get("/api/config")).body.guidelines, "Prefer correct, concise answers.");
    // the token comes first: an unknown path or a wrong method without it is 403, not 404/405
    for (const path of ["/favicon.ico", "/../package.json", "/api/nope"]) assert.equal((await fetch(api.base + path)).status, 403, path);
    assert.equal((await fetch(`${api.base}/api/label`)).status, 403);
    assert.equal((await api.get("/api/label")).status, 405, "wrong method, with the token");
    assert.equal((await fetch(server.url, { method: "POST" })).status, 405);
    const refused = await fetch(`${api.base}/api/config`);
    assert.equal(refused.headers.get("x-content-type-options"), "nosniff", "refusals carry the same headers");
    assert.equal(refused.headers.get("cache-control"), "no-store");
    // a body that is not even the shape of a submission is refused by the route's schema
    assert.equal((await api.post("/api/label", ["x"])).status, 400);
    assert.equal((await api.post("/api/label", { submission: 1, labeler: "a", set: "s" })).status, 400);
    assert.equal((await fetch(`${api.base}/api/label`, { method: "POST", headers: { "x-alignc-token": api.token, "content-type": "application/json" }, body: "{not json" })).status, 400);
    assert.ok(!existsSync(fx.labels));
  } finally {
    await server.close();
    fx.cleanup();
  }
});

test("a submission is one line on disk before the answer; the rankings reader reads it (ties kept); a resend writes nothing", async () => {
  const fx = makeFixture();
  const { server, api } = await serve(fx.recipe);
  try {
    const next = await api.get("/api/next?labeler=alice");
    assert.equal(next.status, 200);
    const set = next.body.set;
    assert.equal(set.responses.length, 4);
    const body = labelBody("alice", set.id, 4);
    const r = await api.post("/api/label", body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body.saved, r.body.duplicate], [true, false]);
    assert.equal(r.body.progress.labeler.labeled, 1);
    // on disk when the answer came
    assert.ok(readFileSync(fx.labels, "utf8").startsWith('{"prompt":'), "the first key is how a torn line is known (store.ts)");
    const [line] = lines(fx.labels);
    assert.equal(line.ranking, "A > B > C = D");
    assert.deepEqual(line.ratings, [7, 6, 5, 4]);
    assert.deepEqual(line.flags, [[], [], [], ["fails_instruction"]]);
    assert.equal(line.labeler, "alice");
    assert.equal(line.set, set.id);
    assert.equal(line.submission, body.submission);
    assert.equal(line.model, null);
    assert.equal(line.seconds, 12.5);
    assert.ok(!Number.isNaN(Date.parse(line.time)));
    assert.equal(line.prompt, set.prompt);
    assert.equal(typeof line.answer, "string", "the demo's reference answer rides along");
    // the recipe's rankings source reads the file as written: C(4,2) − 1 tie = 5 pairs
    const groups = readRankings({ ...SOURCE_FIELDS, name: "prefs", file: fx.labels, rows: await readJsonl(fx.labels), role: "rankings", k: [2, 9] });
    assert.equal(groups.length, 1);
    assert.deepEqual(groups[0]!.ranks, [0, 1, 2, 2]);
    assert.equal(groups[0]!.pairs.length, 5);

    // the same submission again, also twice at once: recognised, not written again
    const again = await Promise.all([api.post("/api/label", body), api.post("/api/label", body)]);
    for (const a of again) assert.deepEqual([a.status, a.body.duplicate], [200, true]);
    assert.equal(lines(fx.labels).length, 1);
    // another label of the same set by the same labeler (another tab): refused
    const other = await api.post("/api/label", labelBody("alice", set.id, 4));
    assert.equal(other.status, 409);
    assert.equal(lines(fx.labels).length, 1);
  } finally {
    await server.close();
    fx.cleanup();
  }
});

// The model was asked with its prompt's system text: the labeler sees it beside the prompt, and the label
// line keeps it as a record (the rankings source's own `system` is what a reward model reads: AL2043)
test("a set drawn with a system text is served with it, and its label line keeps it", async () => {
  const fx = makeFixture({ sets: 1, rows: [candidateRow(0, 4, { system: "Answer with a number." })] });
  const { server, api } = await serve(fx.recipe);
  try {
    const set = (await api.get("/api/next?labeler=alice")).body.set;
    assert.equal(set.system, "Answer with a number.");
    assert.equal((await api.post("/api/label", labelBody("alice", set.id, 4))).status, 200);
    assert.equal(lines(fx.labels)[0]!.system, "Answer with a number.");
  } finally {
    await server.close();
    fx.cleanup();
  }
  const plain = makeFixture({ sets: 1 });
  const other = await serve(plain.recipe);
  try {
    assert.equal("system" in (await other.api.get("/api/next?labeler=bob")).body.set, false, "none where none was asked");
  } finally {
    await other.server.close();
    plain.cleanup();
  }
});

// A helper's audit: a saved id resent with another set or labeler answered "saved, duplicate" and dropped
// the new content; one id was written once as a label and once as a skip; a labeler could skip a set
// they had labeled (and label one they had skipped), counted then as both.
test("a submission id is one answer: reused for another is 409, never 'saved'; a set is labeled or skipped once per labeler", async () => {
  const fx = makeFixture({ sets: 8, overlap: 0 });
  const { server, api } = await serve(fx.recipe);
  try {
    const a = (await api.get("/api/next?labeler=erin")).body.set;
    const body = labelBody("erin", a.id, 4);
    assert.equal((await api.post("/api/label", body)).status, 200);
    const b = (await api.get("/api/next?labeler=erin")).body.set;
    const reused = await api.post("/api/label", { ...labelBody("erin", b.id, 4), submission: body.submission });
    assert.equal(reused.status, 409, JSON.stringify(reused.body));
    assert.equal((await api.post("/api/label", { ...body, labeler: "fay" })).status, 409);
    const skipSameId = await api.post("/api/skip", { submission: body.submission, labeler: "erin", set: a.id, reason: "unclear", seconds: 1 });
    assert.equal(skipSameId.status, 409);
    // skip after label, label after skip: the same labeler's same set, refused
    assert.equal((await api.post("/api/skip", { submission: sid(), labeler: "erin", set: a.id, reason: "unclear", seconds: 1 })).status, 409);
    assert.equal((await api.post("/api/skip", { submission: sid(), labeler: "erin", set: b.id, reason: "unclear", seconds: 1 })).status, 200);
    assert.equal((await api.post("/api/label", labelBody("erin", b.id, 4))).status, 409);
    // the resend itself is still recognised
    assert.deepEqual([(await api.post("/api/label", body)).status, lines(fx.labels).length], [200, 1]);
    assert.equal(lines(fx.labels)[0]!.set, a.id);
    // one new id posted at once for two sets (they meet only in the write queue): one saved, one refused
    const c = (await api.get("/api/next?labeler=gus")).body.set;
    const d = (await api.get("/api/next?labeler=hal")).body.set;
    const id = sid();
    const both = await Promise.all([api.post("/api/label", labelBody("gus", c.id, 4, id)), api.post("/api/label", labelBody("hal", d.id, 4, id))]);
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 409], JSON.stringify(both.map((r) => r.body)));
    assert.equal(lines(fx.labels).filter((l) => l.submission === id).length, 1);
    // a label and a skip posted at once, with one new id or for one set by one labeler: two files, two
    // write queues, and still one answer written (both were)
    const skipsFile = fx.labels.replace(/\.jsonl$/, ".skips.jsonl");
    const answers = (f: string) => (existsSync(f) ? lines(f) : []);
    const e = (await api.get("/api/next?labeler=ivy")).body.set;
    const one = sid();
    const pair = await Promise.all([api.post("/api/label", labelBody("ivy", e.id, 4, one)), api.post("/api/skip", { submission: one, labeler: "ivy", set: e.id, reason: "unclear", seconds: 1 })]);
    assert.deepEqual(pair.map((r) => r.status).sort(), [200, 409], JSON.stringify(pair.map((r) => r.body)));
    assert.equal([...answers(fx.labels), ...answers(skipsFile)].filter((l) => l.submission === one).length, 1);
    const f = (await api.get("/api/next?labeler=jo")).body.set;
    const two = await Promise.all([api.post("/api/label", labelBody("jo", f.id, 4)), api.post("/api/skip", { submission: sid(), labeler: "jo", set: f.id, reason: "unclear", seconds: 1 })]);
    assert.deepEqual(two.map((r) => r.status).sort(), [200, 409], JSON.stringify(two.map((r) => r.body)));
    assert.equal([...answers(fx.labels), ...answers(skipsFile)].filter((l) => l.labeler === "jo").length, 1);
  } finally {
    await server.close();
    fx.cleanup();
  }
});

test("bad submissions are refused with a reason and write nothing", async () => {
  const fx = makeFixture();
  const { server, api } = await serve(fx.recipe);
  try {
    const set = (await api.get("/api/next?labeler=bob")).body.set;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...labelBody("bob", set.id, 4), ratings: [8, 1, 1, 1] }, /ratings/],
      [{ ...labelBody("bob", set.id, 4), ranks: [0, 2, 2, 3] }, /skips level 1/],
      [{ ...labelBody("bob", set.id, 4), ranks: [0, 0, 0, 0] }, /every response is tied/],
      [{ ...labelBody("bob", set.id, 4), flags: [["nonsense"], [], [], []] }, /flags/],
      [{ ...labelBody("bob", set.id, 4), set: "f".repeat(64) }, /not a candidate set/],
      [{ ...labelBody("bob", set.id, 4), submission: "x" }, /submission/],
      [{ ...labelBody("<b>", set.id, 4) }, /labeler/],
      // values of the wrong type are refused, never converted (fastify's default coercion wrote null as 0,
      // true as "true"); a number that overflows when rounded is refused, not written as null
      [{ ...labelBody("bob", set.id, 4), seconds: null }, /seconds/],
      [{ ...labelBody("bob", set.id, 4), seconds: false }, /seconds/],
      [{ ...labelBody("bob", set.id, 4), seconds: 1.7e308 }, /seconds/],
      [{ ...labelBody("bob", set.id, 4), labeler: true }, /labeler/],
      [{ ...labelBody("bob", set.id, 4), submission: 123456789 }, /submission/],
    ];
    for (const [body, why] of cases) {
      const r = await api.post("/api/label", body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(r.body.error, why);
    }
    assert.equal((await api.post("/api/skip", { submission: sid(), labeler: "bob", set: set.id, reason: " ", seconds: 1 })).status, 400);
    const huge = await fetch(`${api.base}/api/label`, { method: "POST", headers: { "x-alignc-token": api.token, "content-type": "application/json" }, body: JSON.stringify({ pad: "x".repeat(100_000) }) });
    assert.equal(huge.status, 413);
    const notJson = await fetch(`${api.base}/api/label`, { method: "POST", headers: { "x-alignc-token": api.token, "content-type": "text/plain" }, body: "hi" });
    assert.equal(notJson.status, 415);
    assert.ok(!existsSync(fx.labels));
  } finally {
    await server.close();
    fx.cleanup();
  }
});

test("a restart resumes: the labeler gets their set back (reload: lease; restart: prefer), labeled sets never again, skips kept aside", async () => {
  const fx = makeFixture({ sets: 5, overlap: 0 });
  let { server, api } = await serve(fx.recipe);
  try {
    const first = (await api.get("/api/next?labeler=carol")).body.set;
    assert.equal((await api.post("/api/label", labelBody("carol", first.id, 4))).status, 200);
    const second = (await api.get("/api/next?labeler=carol")).body.set;
    assert.notEqual(second.id, first.id);
    assert.equal((await api.get("/api/next?labeler=carol")).body.set.id, second.id, "a reload shows the same set");
    const skip = await api.post("/api/skip", { submission: sid(), labeler: "carol", set: second.id, reason: "The prompt is unclear", seconds: 3 });
    assert.equal(skip.status, 200);
    assert.equal(skip.body.progress.labeler.skipped, 1);
    const third = (await api.get("/api/next?labeler=carol")).body.set;
    await server.close();

    ({ server, api } = await serve(fx.recipe));
    // the page sends the set it was showing; the restarted server gives it back
    const resumed = await api.get(`/api/next?labeler=carol&prefer=${third.id}`);
    assert.equal(resumed.body.set.id, third.id);
    assert.deepEqual(resumed.body.progress.labeler, { labeled: 1, skipped: 1 });
    const seen = new Set([first.id, second.id]);
    for (;;) {
      const n = (await api.get("/api/next?labeler=carol")).body;
      if (!n.set) {
        assert.deepEqual(n.progress.labeler, { labeled: 4, skipped: 1 });
        break;
      }
      assert.ok(!seen.has(n.set.id), "a set labeled or skipped is not shown again");
      seen.add(n.set.id);
      assert.equal((await api.post("/api/label", labelBody("carol", n.set.id, 4))).status, 200);
    }
    assert.equal(lines(fx.labels).length, 4);
    const skips = lines(join(fx.dir, "labels.skips.jsonl"));
    assert.deepEqual(skips.map((s) => [s.set, s.reason]), [[second.id, "The prompt is unclear"]]);
  } finally {
    await server.close();
    fx.cleanup();
  }
});

test("two labelers at once get different sets, except the overlap share, which both label", async () => {
  const fx = makeFixture({ sets: 10, overlap: 0.2 });
  const { server, api, session } = await serve(fx.recipe);
  try {
    const shared = session.assigner.shared;
    assert.equal(shared.size, 2);
    const done = { ann: [] as string[], ben: [] as string[] };
    for (let round = 0; round < 20; round++) {
      const a = (await api.get("/api/next?labeler=ann")).body.set;
      const b = (await api.get("/api/next?labeler=ben")).body.set;
      if (a && b && a.id === b.id) assert.ok(shared.has(a.id), "at the same moment, two labelers hold the same set only if it is a shared one");
      if (!a && !b) break;
      if (a) {
        assert.equal((await api.post("/api/label", labelBody("ann", a.id, 4))).status, 200);
        done.ann.push(a.id);
      }
      if (b) {
        assert.equal((await api.post("/api/label", labelBody("ben", b.id, 4))).status, 200);
        done.ben.push(b.id);
      }
    }
    const both = done.ann.filter((id) => done.ben.includes(id)).sort();
    assert.deepEqual(both, [...shared].sort(), "exactly the shared sets are labeled twice");
    assert.equal(new Set([...done.ann, ...done.ben]).size, 10, "every set labeled");
    assert.equal(lines(fx.labels).length, 12);
    const p = (await api.get("/api/next?labeler=ann")).body.progress;
    assert.deepEqual(p.labels, { done: 12, wanted: 12 });
  } finally {
    await server.close();
    fx.cleanup();
  }
});

test("opening a labels file: a torn last line is cut off and kept aside; a file alignc did not write is refused, untouched", async () => {
  const fx = makeFixture({ sets: 3 });
  try {
    let { server, api } = await serve(fx.recipe);
    const set = (await api.get("/api/next?labeler=dan")).body.set;
    const body = labelBody("dan", set.id, 4);
    assert.equal((await api.post("/api/label", body)).status, 200);
    await server.close();
    const good = readFileSync(fx.labels, "utf8");
    appendFileSync(fx.labels, '{"prompt":"half a li');
    ({ server, api } = await serve(fx.recipe));
    try {
      assert.equal(readFileSync(fx.labels, "utf8"), good);
      const kept = readdirSync(fx.dir).filter((f) => f.startsWith("labels.jsonl.torn-"));
      assert.equal(kept.length, 1);
      assert.equal(readFileSync(join(fx.dir, kept[0]!), "utf8"), '{"prompt":"half a li');
      assert.equal((await api.post("/api/label", body)).body.duplicate, true);
    } finally {
      await server.close();
    }
    // a byte order mark an editor put before the first line is no part of it (huntD39 L3: refused with an invisible token)
    writeFileSync(fx.labels, `\uFEFF${good}`);
    ({ server } = await serve(fx.recipe));
    await server.close();
    // a line the page would not have written (a rating of 9) is refused at start, as --stats refuses it (huntD39 L3)
    const nine = { ...JSON.parse(good.trim()), ratings: [9, 5, 3, 1] };
    writeFileSync(fx.labels, JSON.stringify(nine) + "\n");
    await assert.rejects(openSession(fx.recipe), /labels\.jsonl:1: `ratings` is not 4 whole numbers from 1 to 7: not a line `alignc label` wrote/);
    const foreign = JSON.stringify(candidateRow(0)) + "\n";
    writeFileSync(fx.labels, foreign);
    await assert.rejects(openSession(fx.recipe), /labels\.jsonl:1: not a line `alignc label` wrote/);
    assert.equal(readFileSync(fx.labels, "utf8"), foreign);
    // one line without a line break is not taken for a torn line of ours and cut off
    writeFileSync(fx.labels, JSON.stringify({ chosen: "a", rejected: "b" }));
    await assert.rejects(openSession(fx.recipe), /labels\.jsonl:1: not a line `alignc label` wrote/);
    assert.equal(readFileSync(fx.labels, "utf8"), JSON.stringify({ chosen: "a", rejected: "b" }));
    // nor a whole rankings row a person wrote, although it starts as ours do (it was cut to 0 bytes)
    const ranking = JSON.stringify({ prompt: "Add 5 and 5.", responses: ["10", "11"], ranking: "A > B" });
    writeFileSync(fx.labels, ranking);
    await assert.rejects(openSession(fx.recipe), /labels\.jsonl:1: not a line `alignc label` wrote/);
    assert.equal(readFileSync(fx.labels, "utf8"), ranking);
    // nor an unfinished row a person is typing, alone in the file (it was cut to 0 bytes and called
    // our torn line: audit 32)
    const typing = '{"prompt":"my hand-written row, not finished yet", "responses":["a","b"';
    writeFileSync(fx.labels, typing);
    await assert.rejects(openSession(fx.recipe), /labels\.jsonl:1: the last line has no line break, and the file holds no line `alignc label` wrote: left as it is/);
    assert.equal(readFileSync(fx.labels, "utf8"), typing);
    // a whole label line of ours without its line break is kept; the next label starts a new line
    writeFileSync(fx.labels, good.trimEnd());
    ({ server, api } = await serve(fx.recipe));
    try {
      assert.equal((await api.post("/api/label", body)).body.duplicate, true, "the line is read, not cut off");
      const next = (await api.get("/api/next?labeler=dan")).body.set;
      assert.equal((await api.post("/api/label", labelBody("dan", next.id, 4))).status, 200);
      const text = readFileSync(fx.labels, "utf8");
      assert.ok(text.startsWith(good), "the first line whole, with the break added");
      assert.equal(text.split("\n").filter((l) => l !== "").length, 2);
      assert.ok(text.endsWith("\n"));
    } finally {
      await server.close();
    }
    assert.equal(readdirSync(fx.dir).filter((f) => f.includes(".torn-")).length, 1, "only the first test's torn line was kept aside");
  } finally {
    fx.cleanup();
  }
});

// a write the disk refused was a 500 "internal error" with a stack trace (huntD39 M3: a full tmpfs)
test("a labels write the disk refuses is 507 or 503 naming the file, and any other error is no storage failure", async () => {
  const { storageFailure } = await import("../../src/label/server.js");
  const err = (code: string) => Object.assign(new Error(`${code}: write`), { code, path: "/data/labels.jsonl" });
  assert.deepEqual(storageFailure(err("ENOSPC")), { status: 507, message: "/data/labels.jsonl: no space left on its disk (ENOSPC): this label was not saved; send it again once that is fixed" });
  assert.equal(storageFailure(err("EDQUOT"))?.status, 507);
  for (const code of ["EROFS", "EACCES", "EPERM", "EIO"]) assert.equal(storageFailure(err(code))?.status, 503, code);
  assert.equal(storageFailure(new Error("a bug")), null);
  assert.equal(storageFailure(err("ENOENT")), null);
});
