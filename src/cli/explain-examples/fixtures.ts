// The small data files and the recipe of a few stages that the examples build on: short enough to
// print whole under `alignc explain`, real enough that check, plan and data accept the fixed recipes.
import { HEADER } from "./types.js";

export const DEMOS = `{"instruction":"Add 2 and 3.","response":"5"}
{"instruction":"Add 1 and 4.","response":"5"}
{"instruction":"Add 6 and 1.","response":"7"}
{"instruction":"Add 2 and 2.","response":"4"}
`;

export const PREFS = `{"prompt":"Add 3 and 3.","responses":["6","7","five"],"ranking":"A > B > C","answer":"6"}
{"prompt":"Add 1 and 1.","responses":["2","3"],"ranking":"A > B","answer":"2"}
{"prompt":"Add 5 and 2.","responses":["8","7"],"ranking":"B > A","answer":"7"}
{"prompt":"Add 4 and 4.","responses":["8","9","ten"],"ranking":"A > B > C","answer":"8"}
`;

/** Rows of a FLAN-style task and its two templates (prompt ||| target). */
export const TASK_FILES = {
  "rows.jsonl": `{"a":1,"b":2,"sum":3}
{"a":4,"b":1,"sum":5}
{"a":2,"b":6,"sum":8}
{"a":3,"b":3,"sum":6}
`,
  "tpl/plus.hbs": "{{a}} plus {{b}}?\n|||\n{{sum}}\n",
  "tpl/sum.hbs": "Sum of {{a}} and {{b}}:\n|||\n{{sum}}\n",
};

/** A task and demonstrations, mixed (TASK_FILES and demos.jsonl). */
export const MIXED = `${HEADER}model m = gpt { tokenizer = bytes  layers = 1  d_model = 16  heads = 2  context = 64 }
task add = flan { data = jsonl("rows.jsonl")  templates = dir("tpl") }
source demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }
`;

export const CORPUS = "one plus one is two. two plus two is four.\nthree plus one is four. four plus four is eight.\n";

/** demos.jsonl and prefs.jsonl, the files DATA and STAGES read. */
export const FILES = { "demos.jsonl": DEMOS, "prefs.jsonl": PREFS };

/** A model, demonstrations and rankings: the blocks before the stages. */
export const DATA = `${HEADER}model m = gpt { tokenizer = bytes  layers = 1  d_model = 16  heads = 2  context = 64 }
source demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }
source prefs = jsonl("prefs.jsonl") as rankings { k = 2..3  holdout = 0.5 }
`;

/** DATA with an SFT stage and a reward model on it. */
export const STAGES = `${DATA}stage sft = sft { init = m  data = demos  steps = 10 }
stage rm = reward_model { init = sft  data = prefs  steps = 10 }
`;
