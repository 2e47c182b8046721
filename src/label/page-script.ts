// The labeling page's script. It runs in the browser, never in Node: page.ts inlines this function's
// source (Function.prototype.toString of the compiled JS), so it must use nothing outside itself but
// installInput (page-input.ts), which page.ts inlines beside it.
// Every text that comes from the data (prompt, responses, guidelines) is set with textContent, never
// parsed as HTML. Work in progress survives a reload (a draft per set in localStorage) and a
// submission survives a lost connection or a server restart (kept in localStorage until the server
// acknowledges it; resent with the same id, which the server recognises).
/* eslint-disable */
import { installInput } from "./page-input.js";
// The browser globals this file uses (the project's tsconfig has no DOM library).
declare const document: any;
declare const window: any;
declare const localStorage: any;
declare const location: any;

/** A labeler's work on one candidate set: kept in localStorage as it changes. */
export type Draft = { ratings: number[]; flags: string[][]; order: number[]; tie: boolean[]; touched: boolean; seconds: number };

export function pageMain(): void {
  type Pending = { kind: "label" | "skip"; body: Record<string, unknown> };
  const $ = (id: string): any => document.getElementById(id);
  const el = (tag: string, cls?: string, text?: string): any => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const params = new URLSearchParams(location.search);
  const token = params.get("token") || "";
  const KEY = "alignc-label:";
  let labeler: string = params.get("labeler") || localStorage.getItem(KEY + "labeler") || "";
  let cfg: any = null;
  let current: { id: string; prompt: string; system?: string; responses: string[] } | null = null;
  let draft: Draft | null = null;
  let history: string[] = [];
  let activeSince = Date.now();
  let busy = false;

  const letter = (i: number): string => String.fromCharCode(65 + i);
  const status = (text: string, kind = ""): void => {
    const s = $("status");
    s.textContent = text;
    s.className = "status " + kind;
  };

  async function api(method: string, path: string, body?: unknown): Promise<any> {
    const headers: Record<string, string> = { "x-alignc-token": token };
    if (body !== undefined) headers["content-type"] = "application/json";
    const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const data: any = await r.json().catch(() => ({}));
    if (!r.ok) {
      const e: any = new Error(data.error || r.statusText);
      e.status = r.status;
      throw e;
    }
    return data;
  }

  function newId(): string {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }

  // ------------------------------------------------------------------ drafts and pending submissions
  const draftKey = (): string => KEY + "draft:" + labeler + ":" + (current ? current.id : "");
  const pendingKey = KEY + "pending";
  const pending = (): Pending[] => JSON.parse(localStorage.getItem(pendingKey) || "[]");
  const setPending = (p: Pending[]): void => (p.length ? localStorage.setItem(pendingKey, JSON.stringify(p)) : localStorage.removeItem(pendingKey));

  function tick(): void {
    if (!draft) return;
    const now = Date.now();
    if (document.visibilityState !== "hidden") draft.seconds += (now - activeSince) / 1000;
    activeSince = now;
  }
  function saveDraft(): void {
    if (!draft || !current) return;
    tick();
    localStorage.setItem(draftKey(), JSON.stringify(draft));
    localStorage.setItem(KEY + "current:" + labeler, current.id);
  }

  /** Send what the server has not acknowledged yet, oldest first; resolves when all are saved. */
  async function flush(): Promise<any> {
    let last: any = null;
    for (;;) {
      const p = pending();
      if (!p.length) return last;
      const item = p[0]!;
      try {
        last = await api("POST", item.kind === "label" ? "/api/label" : "/api/skip", item.body);
        setPending(pending().slice(1));
        status(item.kind === "label" ? "Saved." : "Skipped.", "ok");
      } catch (e: any) {
        if (e.status === 403) {
          // a restarted server has a new token: this tab's work stays here until the new URL is opened (same port: same browser storage)
          status("Not saved yet: the server was restarted. Open the new URL alignc label printed; your work is kept in this browser.", "error");
          return { stale: true };
        }
        if (e.status && e.status < 500) {
          // the server refuses it for good (already labeled in another tab, a set no longer served): drop it, say so
          setPending(pending().slice(1));
          status("Not saved: " + e.message, "error");
          continue;
        }
        status("Not saved yet: the server does not answer. Your work is kept in this browser and sent when it is back…", "error");
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }

  // ------------------------------------------------------------------ ranking model
  function ranks(d: Draft): number[] {
    const out = new Array(d.order.length).fill(0);
    let level = 0;
    d.order.forEach((i, p) => {
      if (p > 0 && !d.tie[i]) level++;
      out[i] = level;
    });
    return out;
  }
  function normalise(d: Draft): void {
    if (d.order.length) d.tie[d.order[0]!] = false;
  }
  /** Until the labeler edits the ranking, it follows their ratings (equal ratings tie). */
  function rankByRatings(d: Draft): void {
    if (d.touched) return;
    d.order = d.order.map((_, i) => i).sort((a, b) => d.ratings[b]! - d.ratings[a]! || a - b);
    d.order.forEach((i, p) => (d.tie[i] = p > 0 && d.ratings[i]! > 0 && d.ratings[i] === d.ratings[d.order[p - 1]!]));
  }
  function change(fn: (d: Draft) => void, ranking = false): void {
    if (!draft) return;
    history.push(JSON.stringify(draft));
    if (history.length > 200) history.shift();
    fn(draft);
    if (ranking) draft.touched = true;
    rankByRatings(draft);
    normalise(draft);
    saveDraft();
    render();
  }
  function undo(): void {
    const prev = history.pop();
    if (!prev || !draft) return;
    const seconds = draft.seconds;
    draft = JSON.parse(prev) as Draft;
    draft.seconds = seconds;
    saveDraft();
    render();
    status("Undone.");
  }
  function moveTo(i: number, pos: number): void {
    change((d) => {
      const from = d.order.indexOf(i);
      const to = Math.max(0, Math.min(d.order.length - 1, pos));
      d.order.splice(from, 1);
      d.order.splice(to, 0, i);
    }, true);
  }

  // ------------------------------------------------------------------ rendering
  function focusKey(): string | null {
    const a = document.activeElement;
    if (a && a.dataset && a.dataset.key) return a.dataset.key;
    return null;
  }
  function refocus(key: string | null): void {
    if (!key) return;
    const e = document.querySelector('[data-key="' + key + '"]');
    if (e) e.focus();
  }

  function render(): void {
    if (!current || !draft) return;
    const d = draft;
    const keep = focusKey();
    const cards = $("responses");
    cards.replaceChildren();
    current.responses.forEach((text, i) => {
      const card = el("section", "card");
      card.tabIndex = 0;
      card.dataset.key = "card-" + i;
      card.dataset.i = String(i);
      card.setAttribute("aria-label", "Response " + letter(i));
      const head = el("div", "card-head");
      head.append(el("span", "letter", letter(i)));
      const scale = el("div", "scale");
      scale.setAttribute("role", "radiogroup");
      scale.setAttribute("aria-label", "Rating of " + letter(i) + " (1 worst, 7 best)");
      for (let r = cfg.rating.min; r <= cfg.rating.max; r++) {
        const lab = el("label", "rate" + (d.ratings[i] === r ? " on" : ""));
        const input = el("input");
        input.type = "radio";
        input.name = "rate-" + i;
        input.value = String(r);
        input.checked = d.ratings[i] === r;
        input.dataset.key = "rate-" + i + "-" + r;
        input.addEventListener("change", () => change((x) => (x.ratings[i] = r)));
        lab.append(input, el("span", "", String(r)));
        scale.append(lab);
      }
      head.append(scale);
      card.append(head);
      card.append(el("div", "text", text)); // as text, never HTML
      const flags = el("details", "flags");
      if (d.flags[i]!.length) flags.open = true;
      flags.append(el("summary", "", "Flags" + (d.flags[i]!.length ? " (" + d.flags[i]!.length + ")" : "")));
      for (const f of cfg.flags) {
        const lab = el("label", "flag");
        const box = el("input");
        box.type = "checkbox";
        box.checked = d.flags[i]!.includes(f.id);
        box.dataset.key = "flag-" + i + "-" + f.id;
        box.addEventListener("change", () => change((x) => (x.flags[i] = box.checked ? x.flags[i]!.concat([f.id]) : x.flags[i]!.filter((y) => y !== f.id))));
        lab.append(box, el("span", "", f.label));
        flags.append(lab);
      }
      card.append(flags);
      cards.append(card);
    });

    const list = $("ranking");
    list.replaceChildren();
    d.order.forEach((i, p) => {
      const item = el("li", "item" + (d.tie[i] ? " tied" : ""));
      item.tabIndex = 0;
      item.dataset.key = "rank-" + i;
      item.dataset.i = String(i);
      const handle = el("span", "handle", "⠿");
      handle.setAttribute("aria-hidden", "true");
      const first = current!.responses[i]!.split("\n")[0]!;
      const label = el("span", "label");
      label.append(el("b", "", letter(i)), el("span", "snippet", first.length > 60 ? first.slice(0, 60) + "…" : first));
      const rating = el("span", "badge", d.ratings[i] ? String(d.ratings[i]) : "–");
      rating.title = "rating";
      const tie = el("button", "tie" + (d.tie[i] ? " on" : ""), "=");
      tie.type = "button";
      tie.title = "tie with the one above (=)";
      tie.disabled = p === 0;
      tie.addEventListener("click", () => change((x) => (x.tie[i] = !x.tie[i]), true));
      const up = el("button", "", "↑");
      up.type = "button";
      up.title = "move up (Shift+↑)";
      up.addEventListener("click", () => moveTo(i, p - 1));
      const down = el("button", "", "↓");
      down.type = "button";
      down.title = "move down (Shift+↓)";
      down.addEventListener("click", () => moveTo(i, p + 1));
      item.setAttribute("aria-label", (d.tie[i] ? "tied with the one above: " : "position " + (p + 1) + ": ") + letter(i));
      item.append(handle, el("span", "pos", d.tie[i] ? "=" : String(ranks(d)[i]! + 1)), label, rating, tie, up, down);
      handle.addEventListener("pointerdown", (ev: any) => input.startDrag(ev, item));
      list.append(item);
    });
    refocus(keep);
  }

  // ------------------------------------------------------------------ keyboard and drag and drop (page-input.ts)
  const input = installInput({
    draft: () => (current && !busy ? draft : null),
    ratingMax: () => cfg.rating.max,
    change,
    moveTo,
    render,
    undo,
    submit: () => void submit(),
    openSkip,
    toggleKeys: () => ($("keys").open = !$("keys").open),
  });

  // ------------------------------------------------------------------ submit, skip, next
  function showProgress(pr: any): void {
    const bar = $("bar");
    bar.style.width = (pr.labels.wanted ? (100 * pr.labels.done) / pr.labels.wanted : 100).toFixed(1) + "%";
    $("progress").setAttribute("aria-valuenow", String(pr.labels.done));
    $("progress").setAttribute("aria-valuemax", String(pr.labels.wanted));
    $("progress-text").textContent =
      labeler + ": " + pr.labeler.labeled + " labeled, " + pr.labeler.skipped + " skipped · all labelers: " + pr.labels.done + " / " + pr.labels.wanted + " labels (" + pr.sets + " prompts)";
  }

  async function submit(): Promise<void> {
    if (!draft || !current || busy) return;
    const missing = draft.ratings.map((r, i) => (r ? "" : letter(i))).filter((x) => x);
    if (missing.length) return status("Rate every response first (missing: " + missing.join(", ") + ").", "error");
    const rk = ranks(draft);
    if (Math.max(...rk) === 0) return status("Every response is tied: rank at least two levels, or skip the prompt.", "error");
    tick();
    await send({ kind: "label", body: { submission: newId(), labeler, set: current.id, ratings: draft.ratings, flags: draft.flags, ranks: rk, seconds: draft.seconds } });
  }

  function openSkip(): void {
    $("skip").open = true;
    $("skip-reason").focus();
  }
  async function skip(): Promise<void> {
    if (!draft || !current || busy) return;
    const reason = $("skip-reason").value + ($("skip-detail").value.trim() ? ": " + $("skip-detail").value.trim() : "");
    tick();
    $("skip").open = false;
    $("skip-detail").value = "";
    await send({ kind: "skip", body: { submission: newId(), labeler, set: current.id, reason, seconds: draft.seconds } });
  }

  /** While a submission is saved and the next set fetched, keys are ignored; aria-busy says so (screen readers, tests). */
  function setBusy(on: boolean): void {
    busy = on;
    if (on) $("work").setAttribute("aria-busy", "true");
    else $("work").removeAttribute("aria-busy");
  }

  async function send(p: Pending): Promise<void> {
    setBusy(true);
    setPending(pending().concat([p]));
    localStorage.removeItem(draftKey());
    status("Saving…");
    try {
      const r = await flush();
      if (r && r.stale) return;
      if (r && r.progress) showProgress(r.progress);
      await next();
    } finally {
      setBusy(false);
    }
  }

  async function next(): Promise<void> {
    const prefer = localStorage.getItem(KEY + "current:" + labeler) || "";
    const r = await api("GET", "/api/next?labeler=" + encodeURIComponent(labeler) + (prefer ? "&prefer=" + encodeURIComponent(prefer) : ""));
    showProgress(r.progress);
    current = r.set;
    history = [];
    if (!current) {
      localStorage.removeItem(KEY + "current:" + labeler);
      $("work").hidden = true;
      $("done").hidden = false;
      return;
    }
    $("work").hidden = false;
    $("work").dataset.set = current.id;
    $("done").hidden = true;
    const K = current.responses.length;
    const saved = localStorage.getItem(draftKey());
    draft = saved ? (JSON.parse(saved) as Draft) : { ratings: new Array(K).fill(0), flags: Array.from({ length: K }, () => []), order: Array.from({ length: K }, (_, i) => i), tie: new Array(K).fill(false), touched: false, seconds: 0 };
    activeSince = Date.now();
    localStorage.setItem(KEY + "current:" + labeler, current.id);
    $("prompt").textContent = current.prompt; // as text, never HTML
    $("system").textContent = current.system ?? "";
    $("system-panel").hidden = current.system === undefined;
    render();
    const first = document.querySelector("#responses .card");
    if (first) first.focus();
  }

  async function start(): Promise<void> {
    $("who").hidden = true;
    $("app").hidden = false;
    $("me").textContent = labeler;
    cfg = await api("GET", "/api/config");
    $("source").textContent = cfg.source;
    if (cfg.guidelines) $("guidelines-text").textContent = cfg.guidelines;
    else $("guidelines").hidden = true;
    const flushed = await flush(); // a submission the server did not acknowledge before a reload or restart
    if (flushed && flushed.stale) return;
    if (flushed && flushed.progress) showProgress(flushed.progress);
    await next();
  }

  // ------------------------------------------------------------------ wiring
  $("submit").addEventListener("click", () => void submit());
  $("undo").addEventListener("click", undo);
  $("skip-go").addEventListener("click", () => void skip());
  $("not-me").addEventListener("click", () => {
    localStorage.removeItem(KEY + "labeler");
    location.reload();
  });
  $("who-form").addEventListener("submit", (ev: any) => {
    ev.preventDefault();
    const name = $("who-name").value.trim();
    if (!/^[\p{L}\p{N}_.@ -]{1,64}$/u.test(name)) return void ($("who-error").textContent = "Use 1–64 letters, digits, spaces or . _ @ -");
    labeler = name;
    localStorage.setItem(KEY + "labeler", labeler);
    void start().catch((e) => status("Cannot start: " + e.message, "error"));
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") saveDraft();
    else activeSince = Date.now();
  });
  window.addEventListener("pagehide", saveDraft);
  if (labeler) void start().catch((e) => status("Cannot start: " + e.message, "error"));
  else {
    $("who").hidden = false;
    $("who-name").focus();
  }
}
