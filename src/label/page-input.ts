// Keyboard and drag-and-drop input of the labeling page. Like page-script.ts it runs in the browser
// only: page.ts inlines this function's source beside pageMain, which calls it with what input may do.
/* eslint-disable */
import type { Draft } from "./page-script.js";
declare const document: any; // the project's tsconfig has no DOM library

export interface PageInput {
  draft(): Draft | null; // null while nothing can be edited (no set, or a submission being saved)
  ratingMax(): number;
  change(fn: (d: Draft) => void, ranking?: boolean): void; // ranking: the labeler edited the ranking
  moveTo(i: number, pos: number): void;
  render(): void;
  undo(): void;
  submit(): void;
  openSkip(): void;
  toggleKeys(): void;
}

export function installInput(page: PageInput): { startDrag(ev: any, item: any): void } {
  // keys: `p`/`r` responses/ranking, arrows (j/k) move focus, 1–7 rate, Shift+arrows move, 1–9 place, `=` tie, u undo, Ctrl+Enter submit, s skip
  document.addEventListener("keydown", (ev: any) => {
    const t = ev.target;
    const draft = page.draft();
    if (!draft) return;
    if (t && (t.tagName === "TEXTAREA" || t.tagName === "SELECT" || (t.tagName === "INPUT" && t.type === "text"))) return;
    const k = ev.key;
    if ((k === "z" && (ev.ctrlKey || ev.metaKey)) || (k === "u" && !ev.ctrlKey && !ev.metaKey)) {
      ev.preventDefault();
      return page.undo();
    }
    if (k === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      page.submit();
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (k === "r") return void (document.querySelector("#ranking .item") || { focus() {} }).focus();
    if (k === "p") return void (document.querySelector("#responses .card") || { focus() {} }).focus();
    if (k === "s") return page.openSkip();
    if (k === "?") return page.toggleKeys();
    const card = t && t.closest ? t.closest(".card") : null;
    const item = t && t.closest ? t.closest("#ranking .item") : null;
    if (card) {
      const i = Number(card.dataset.i);
      if (/^[1-9]$/.test(k) && Number(k) <= page.ratingMax()) {
        ev.preventDefault();
        page.change((d) => (d.ratings[i] = Number(k)));
        return;
      }
      if (t.type === "radio") return; // arrows move within the rating, natively
      const step = k === "ArrowDown" || k === "j" ? 1 : k === "ArrowUp" || k === "k" ? -1 : 0;
      if (step) {
        ev.preventDefault();
        const next = document.querySelector('[data-key="card-' + (i + step) + '"]');
        if (next) next.focus();
      }
      return;
    }
    if (item) {
      const i = Number(item.dataset.i);
      const p = draft.order.indexOf(i);
      if (k === "=" || k === "t") {
        ev.preventDefault();
        if (p > 0) page.change((d) => (d.tie[i] = !d.tie[i]), true);
        return;
      }
      if (/^[1-9]$/.test(k) && Number(k) <= draft.order.length) {
        ev.preventDefault();
        return page.moveTo(i, Number(k) - 1);
      }
      const step = k === "ArrowDown" || k === "j" ? 1 : k === "ArrowUp" || k === "k" ? -1 : 0;
      if (!step) return;
      ev.preventDefault();
      if (ev.shiftKey) return page.moveTo(i, p + step);
      const next = document.querySelector('[data-key="rank-' + draft.order[p + step] + '"]');
      if (next) next.focus();
    }
  });

  // drag and drop with pointer events: mouse, pen and touch alike
  function startDrag(ev: any, item: any): void {
    ev.preventDefault();
    const list = document.getElementById("ranking");
    item.classList.add("dragging");
    // listen on the document, not with pointer capture: moving the item in the DOM would release the capture
    const move = (e: any): void => {
      if (e.pointerId !== ev.pointerId) return;
      const others = Array.from(list.children).filter((c: any) => c !== item) as any[];
      const before = others.find((c) => {
        const r = c.getBoundingClientRect();
        return e.clientY < r.top + r.height / 2;
      });
      if ((before || null) !== item.nextSibling) list.insertBefore(item, before || null);
    };
    const up = (e: any): void => {
      if (e.pointerId !== ev.pointerId) return;
      document.removeEventListener("pointermove", move);
      document.removeEventListener("pointerup", up);
      document.removeEventListener("pointercancel", up);
      item.classList.remove("dragging");
      const order = Array.from(list.children).map((c: any) => Number(c.dataset.i));
      const draft = page.draft();
      if (draft && order.join() !== draft.order.join()) page.change((d) => (d.order = order), true);
      else page.render(); // nothing moved: draw the list from the model again
    };
    document.addEventListener("pointermove", move);
    document.addEventListener("pointerup", up);
    document.addEventListener("pointercancel", up);
  }

  return { startDrag };
}
