// The labeling page: one self-contained HTML document (markup, CSS, script inline; no external
// asset, so it works without a network), laid out for a laptop and a phone alike. The script is
// page-script.ts's function; the server's Content-Security-Policy admits only this page's nonce.
import { installInput } from "./page-input.js";
import { pageMain } from "./page-script.js";

const CSS = `
:root { --fg: #1d2330; --muted: #5b6475; --line: #d5dae3; --bg: #f6f7f9; --card: #fff; --accent: #2456c5; --bad: #b3261e; --good: #1f7a3a; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { position: sticky; top: 0; z-index: 2; background: var(--card); border-bottom: 1px solid var(--line); padding: .5rem 1rem; }
header h1 { font-size: 1rem; margin: 0 0 .3rem; display: flex; gap: .5rem; flex-wrap: wrap; align-items: baseline; }
header h1 small { color: var(--muted); font-weight: normal; }
#progress { height: .5rem; background: var(--line); border-radius: .25rem; overflow: hidden; }
#bar { height: 100%; width: 0; background: var(--accent); transition: width .3s; }
#progress-text { font-size: .85rem; color: var(--muted); margin-top: .2rem; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
.cols { display: grid; grid-template-columns: minmax(0, 3fr) minmax(16rem, 2fr); gap: 1rem; align-items: start; }
@media (max-width: 48rem) { .cols { grid-template-columns: minmax(0, 1fr); } main { padding: .5rem; } }
.panel { background: var(--card); border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem; margin-bottom: 1rem; }
h2 { font-size: .8rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: 0 0 .4rem; }
.text, #prompt, #guidelines-text { white-space: pre-wrap; overflow-wrap: anywhere; }
#prompt { font-size: 1.05rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: .5rem; padding: .6rem .8rem; margin-bottom: .6rem; }
.card:focus, .item:focus { outline: 3px solid var(--accent); outline-offset: 1px; }
.card-head { display: flex; align-items: center; gap: .6rem; flex-wrap: wrap; margin-bottom: .3rem; }
.letter { font-weight: 700; font-size: 1.1rem; min-width: 1.4rem; }
.scale { display: grid; grid-template-columns: repeat(7, minmax(1.6rem, 2.4rem)); gap: .2rem; min-width: 0; }
.rate { position: relative; }
.rate input { position: absolute; opacity: 0; inset: 0; margin: 0; cursor: pointer; }
.rate span { display: block; padding: .25rem 0; text-align: center; border: 1px solid var(--line); border-radius: .3rem; }
.rate.on span { background: var(--accent); color: #fff; border-color: var(--accent); }
.rate input:focus-visible + span { outline: 2px solid var(--accent); outline-offset: 1px; }
.flags summary { cursor: pointer; color: var(--muted); font-size: .9rem; }
.flag { display: flex; gap: .4rem; align-items: baseline; font-size: .9rem; padding: .1rem 0; }
#ranking { list-style: none; padding: 0; margin: 0; }
.item { display: flex; align-items: center; gap: .4rem; background: var(--card); border: 1px solid var(--line); border-radius: .4rem; padding: .35rem .5rem; margin-top: .35rem; user-select: none; }
.item.tied { margin-top: 0; border-top-style: dashed; border-top-left-radius: 0; border-top-right-radius: 0; }
.item.dragging { opacity: .7; box-shadow: 0 2px 8px rgba(0,0,0,.2); }
.handle { cursor: grab; touch-action: none; color: var(--muted); font-size: 1.2rem; padding: 0 .2rem; }
.pos { min-width: 1.4rem; text-align: center; color: var(--muted); }
.label { flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.label b { margin-right: .4rem; }
.snippet { color: var(--muted); }
.badge { font-size: .8rem; border: 1px solid var(--line); border-radius: 1rem; padding: 0 .45rem; }
button { font: inherit; border: 1px solid var(--line); background: var(--card); border-radius: .3rem; padding: .2rem .55rem; cursor: pointer; min-height: 2rem; }
button:disabled { opacity: .4; cursor: default; }
button.tie.on { background: var(--accent); color: #fff; }
button.primary { background: var(--accent); color: #fff; border-color: var(--accent); padding: .4rem 1rem; }
button.primary kbd { color: var(--fg); }
.actions { display: flex; gap: .5rem; flex-wrap: wrap; margin-top: .8rem; align-items: center; }
.status { min-height: 1.4rem; font-size: .9rem; margin-top: .4rem; }
.status.error { color: var(--bad); }
.status.ok { color: var(--good); }
details.keys ul { margin: .3rem 0; padding-left: 1.2rem; font-size: .9rem; }
kbd { border: 1px solid var(--line); border-bottom-width: 2px; border-radius: .25rem; padding: 0 .3rem; font-size: .85em; background: var(--bg); }
#skip select, #skip input { font: inherit; width: 100%; margin: .3rem 0; padding: .3rem; }
#who { max-width: 28rem; margin: 3rem auto; }
#who input { font: inherit; width: 100%; padding: .4rem; margin: .5rem 0; }
.err { color: var(--bad); }
h2.inline { display: inline; }
`;

const BODY = `
<div id="who" class="panel" hidden>
  <h2>alignc label</h2>
  <form id="who-form">
    <label for="who-name">Your name (it is written with each of your labels)</label>
    <input id="who-name" autocomplete="username" maxlength="64">
    <button class="primary" type="submit">Start labeling</button>
    <div id="who-error" class="err" role="alert"></div>
  </form>
</div>
<div id="app" hidden>
  <header>
    <h1>alignc label <small>source <span id="source"></span> · <span id="me"></span> <button type="button" id="not-me">not you?</button></small></h1>
    <div id="progress" role="progressbar" aria-label="labels done" aria-valuemin="0"><div id="bar"></div></div>
    <div id="progress-text"></div>
  </header>
  <main>
    <details id="guidelines" class="panel" open><summary><h2 class="inline">Guidelines</h2></summary><div id="guidelines-text"></div></details>
    <div id="done" class="panel" hidden><h2>Done</h2><p>Nothing is left for you to label in this source. Thank you!</p></div>
    <div id="work" hidden>
      <div id="system-panel" class="panel" hidden><h2>System text (the model was asked with it)</h2><div id="system"></div></div>
      <div class="panel"><h2>Prompt</h2><div id="prompt"></div></div>
      <div class="cols">
        <div>
          <h2>Responses: rate each from 1 (terrible) to 7 (excellent), flag problems</h2>
          <div id="responses"></div>
        </div>
        <div>
          <div class="panel">
            <h2>Ranking (best first)</h2>
            <ol id="ranking" aria-label="ranking, best first"></ol>
            <div class="actions">
              <button class="primary" type="button" id="submit">Submit <kbd>Ctrl</kbd>+<kbd>Enter</kbd></button>
              <button type="button" id="undo">Undo <kbd>u</kbd></button>
            </div>
            <div id="status" class="status" role="status" aria-live="polite"></div>
          </div>
          <details id="skip" class="panel"><summary>Skip this prompt <kbd>s</kbd></summary>
            <label for="skip-reason">Why?</label>
            <select id="skip-reason">
              <option>I cannot judge this (outside what I know)</option>
              <option>The prompt is unclear or broken</option>
              <option>The responses are not shown correctly</option>
              <option>Other</option>
            </select>
            <input id="skip-detail" type="text" maxlength="300" placeholder="details (optional)">
            <button type="button" id="skip-go">Skip</button>
          </details>
          <details id="keys" class="panel keys"><summary>Keyboard <kbd>?</kbd></summary>
            <ul>
              <li><kbd>p</kbd> responses, <kbd>r</kbd> ranking; <kbd>↑</kbd> <kbd>↓</kbd> (or <kbd>k</kbd> <kbd>j</kbd>) move between them</li>
              <li>on a response: <kbd>1</kbd>–<kbd>7</kbd> rate it; <kbd>Tab</kbd> reaches its flags</li>
              <li>in the ranking: <kbd>Shift</kbd>+<kbd>↑</kbd>/<kbd>↓</kbd> move the response, <kbd>1</kbd>–<kbd>9</kbd> put it at that place, <kbd>=</kbd> tie it with the one above</li>
              <li><kbd>u</kbd> undo, <kbd>Ctrl</kbd>+<kbd>Enter</kbd> submit, <kbd>s</kbd> skip</li>
              <li>until you change the ranking it follows your ratings (equal ratings tie)</li>
            </ul>
          </details>
        </div>
      </div>
    </div>
  </main>
</div>`;

/** The page, with `nonce` on its inline style and script (the CSP admits nothing else). */
export function pageHtml(nonce: string): string {
  // the two functions' compiled source; pageMain calls installInput by that name
  const script = `(() => {\nconst installInput = ${installInput.toString()};\n(${pageMain.toString()})();\n})();`;
  // the script is our own code, but an HTML parser ends a script element at "</script" wherever it is
  if (/<\/script/i.test(script)) throw new Error("page script contains </script");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>alignc label</title>
<style nonce="${nonce}">${CSS}</style>
</head>
<body>${BODY}
<script nonce="${nonce}">${script}</script>
</body>
</html>
`;
}
