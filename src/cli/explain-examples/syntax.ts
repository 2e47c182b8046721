// Examples of the syntax codes (AL1xxx, src/lang/codes.ts): each recipe fails to parse at one token.
import { HEADER, type CodeExample } from "./types.js";

const M = "model m = gpt { tokenizer = bytes  layers = 2 }\n";

export const SYNTAX_EXAMPLES: Record<string, CodeExample> = {
  AL1001: {
    bad: `${HEADER}model m = gpt { tokenizer = bytes  layers = 2 $ }\n`,
    fix: `${HEADER}${M}`,
    how: "remove the character (or quote it inside a string); `#` comments are `//` in a recipe, and strings take double quotes",
  },
  AL1002: {
    bad: `recipe r {\n  seed = 1\n  description = "a small model\n}\ntokenizer bytes = byte_level {}\n${M}`,
    fix: `recipe r {\n  seed = 1\n  description = "a small model"\n}\ntokenizer bytes = byte_level {}\n${M}`,
    how: 'close the string on the same line; for text over several lines use `"""…"""`',
  },
  AL1003: {
    bad: `recipe r {\n  seed = 1\n  description = """\n    a recipe\n}\ntokenizer bytes = byte_level {}\n${M}`,
    fix: `recipe r {\n  seed = 1\n  description = """\n    a recipe\n  """\n}\ntokenizer bytes = byte_level {}\n${M}`,
    how: 'close the multi-line string with `"""`',
  },
  AL1004: {
    bad: `${HEADER}/* a model with two layers\n${M}`,
    fix: `${HEADER}/* a model with two layers */\n${M}`,
    how: "close the comment with `*/` (or use `//` comments, which end at the line's end)",
  },
  AL1005: {
    bad: `recipe r { seed = 1  description = "runs\\backup" }\ntokenizer bytes = byte_level {}\n${M}`,
    fix: `recipe r { seed = 1  description = "runs\\\\backup" }\ntokenizer bytes = byte_level {}\n${M}`,
    how: "write a backslash as `\\\\`; the escapes are \\n \\t \\r \\\" \\\\ and \\u{hex}",
  },
  AL1006: {
    bad: `${HEADER}${M}stage pre = pretrain { init = m  data = text("corpus.txt")  steps = 10  lr = 1e999 }\n`,
    fix: `${HEADER}${M}stage pre = pretrain { init = m  data = text("corpus.txt")  steps = 10  lr = 1e-3 }\n`,
    how: "write a number that fits a double (at most about 1.8e308)",
    files: { "corpus.txt": "a small corpus of text to pretrain on.\n" },
  },
  AL1008: {
    bad: `${HEADER}${M}stage pre = pretrain { init = m  data = text("corpus.txt")  steps = 1_000  lr = 1e-3 }\n`,
    fix: `${HEADER}${M}stage pre = pretrain { init = m  data = text("corpus.txt")  steps = 1000  lr = 1e-3 }\n`,
    how: "write the number in decimal: 1000 or 1e3, 16 for 0x10",
    files: { "corpus.txt": "a small corpus of text to pretrain on.\n" },
  },
  AL1010: {
    bad: `${HEADER}model m = gpt { tokenizer = bytes  layers = [1, 2 }\n`,
    fix: `${HEADER}${M}`,
    how: "close what was opened (a list with `]`, a block with `}`) or write the token the message names",
  },
  AL1011: {
    bad: `${HEADER}model m = gpt { tokenizer = bytes  layers = = 2 }\n`,
    fix: `${HEADER}${M}`,
    how: "a value (number, string, name, list, block, call) must follow `=`",
  },
  AL1012: {
    bad: `${HEADER}${M}}\n`,
    fix: `${HEADER}${M}`,
    how: "remove the stray token after the last complete declaration (often a `}` too many)",
  },
  AL1013: {
    bad: `${HEADER}model m = gpt { tokenizer = bytes  layers = 2 ${"$ ".repeat(101)}}\n`,
    fix: `${HEADER}${M}`,
    how: "fix the first errors (the file is usually not a recipe, or was pasted wrongly): the rest is counted, not listed",
    with: ["AL1001"],
  },
  AL1014: {
    bad: `${HEADER}model m = gpt { tokenizer = bytes  layers = ${"[".repeat(64)}2${"]".repeat(64)} }\n`,
    fix: `${HEADER}${M}`,
    how: "nest at most 64 brackets, braces or parentheses deep (no recipe needs more: values are flat)",
  },
  AL1020: {
    bad: `recipe r { seed = 1 }\nrecipe r2 { seed = 2 }\ntokenizer bytes = byte_level {}\n${M}`,
    fix: `recipe r { seed = 1 }\ntokenizer bytes = byte_level {}\n${M}`,
    how: "keep one `recipe` header per file; a second recipe goes in its own file (it may `extends` this one)",
  },
};
