// Text from a recipe or a data file shown on a terminal: control characters are made visible
// (`\x1b`, `\x00`, `\u202e`) so that an ESC/OSC sequence in user input cannot clear the screen, set
// the window title or hide text, and a bidi override cannot reorder what the user reads. Tabs stay
// (the caret line keeps them to line up).

// C0 except tab, DEL, C1, and the Unicode bidi embedding/override/isolate controls
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `s` with every control character written as an escape; unchanged (same string) when it has none. */
export function escapeControl(s: string): string {
  return s.replace(CONTROL, (c) => {
    const n = c.charCodeAt(0);
    return n < 0x100 ? `\\x${n.toString(16).padStart(2, "0")}` : `\\u${n.toString(16).padStart(4, "0")}`;
  });
}

/** Like escapeControl but keeps line breaks: for multi-line text such as a data preview. */
export function escapeControlKeepLines(s: string): string {
  return s.split("\n").map(escapeControl).join("\n");
}
