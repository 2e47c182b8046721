// Examples of the data codes (AL3xxx, src/data/diag.ts): each recipe checks clean on its own, and its
// data files break it. `alignc check` reads a clean recipe's data (for its contamination and
// truncation checks), so most are met there; the rest where `alignc plan` or `alignc data` reads more.
import { CORPUS, DATA, DEMOS, FILES, PREFS, STAGES, TASK_FILES } from "./fixtures.js";
import { HEADER, MODEL, type CodeExample } from "./types.js";

const SFT = `${DATA}stage sft = sft { init = m  data = demos  steps = 10 }\n`;
const TASK = `${HEADER}model m = gpt { tokenizer = bytes  layers = 1  d_model = 16  heads = 2  context = 64 }
task add = flan { data = jsonl("rows.jsonl")  templates = dir("tpl") }
stage sft = sft { init = m  data = add  steps = 10 }
`;
const RM = `${DATA}stage sft = sft { init = m  data = demos  steps = 10 }\nstage rm = reward_model { init = sft  data = prefs  steps = 10 }\n`;

const PS = `${HEADER}model m = gpt { tokenizer = bytes  layers = 1  d_model = 16  heads = 2  context = 64 }
task mood = flan { data = jsonl("rows.jsonl")  templates = promptsource("t.yaml") }
stage sft = sft { init = m  data = mood  steps = 10 }
`;
const PS_ROWS = '{"text":"so fun","label":1}\n{"text":"so dull","label":0}\n{"text":"great","label":1}\n{"text":"awful","label":0}\n';
const psYaml = (prompt: string): string => `dataset: mood
templates:
  a1: !Template
    answer_choices: bad ||| good
    id: a1
    jinja: '${prompt} ||| {{ answer_choices[label] }}'
    name: mood
`;
const HF = `${SFT.replace("steps = 10", "format = chat  steps = 10")}format chat = hf_chat_template("tok.json")\n`;
const hfConfig = (template: string): string => `${JSON.stringify({ bos_token: "<s>", eos_token: "</s>", chat_template: template })}\n`;

export const DATA_EXAMPLES: Record<string, CodeExample> = {
  AL3001: {
    bad: TASK,
    fix: TASK,
    how: "put the task's templates in the folder as .hbs files (prompt, a line `|||`, the target)",
    files: { "rows.jsonl": TASK_FILES["rows.jsonl"], "tpl/plus.txt": TASK_FILES["tpl/plus.hbs"] },
    fixFiles: { "rows.jsonl": TASK_FILES["rows.jsonl"], "tpl/plus.hbs": TASK_FILES["tpl/plus.hbs"] },
  },
  AL3002: {
    bad: SFT,
    fix: SFT,
    how: "make every line of a .jsonl file one JSON object (the message names the line); or `on_error = \"skip\"` to leave such rows out, counted",
    files: { ...FILES, "demos.jsonl": DEMOS.replace('{"instruction":"Add 1 and 4.","response":"5"}', '{"instruction":"Add 1 and 4.","response":"5"') },
    fixFiles: FILES,
  },
  AL3003: {
    bad: RM,
    fix: RM,
    how: "give every row the fields the source reads (rankings: `prompt`, `responses`, `ranking`; rename with `responses = \"…\"`, `ranking = \"…\"`)",
    files: { ...FILES, "prefs.jsonl": PREFS.replace(',"ranking":"B > A"', "") },
    fixFiles: FILES,
  },
  AL3004: {
    bad: RM,
    fix: RM,
    how: "give each field the type the source reads: `responses` a list of strings, `ranking` a string or a list",
    files: { ...FILES, "prefs.jsonl": PREFS.replace('"responses":["8","7"]', '"responses":"8 or 7"') },
    fixFiles: FILES,
  },
  AL3005: {
    bad: SFT,
    fix: SFT,
    how: "point the source at a file with rows (an empty file is usually one not written yet)",
    files: { ...FILES, "demos.jsonl": "" },
    fixFiles: FILES,
  },
  AL3010: {
    bad: SFT.replace('prompt = "{{instruction}}"', 'prompt = "{{instructions}}"'),
    fix: SFT,
    how: "name a field the rows have (the message lists them)",
    files: FILES,
  },
  AL3011: {
    bad: TASK,
    fix: TASK,
    how: "write a template as the prompt, a line `|||`, then the target",
    files: { "rows.jsonl": TASK_FILES["rows.jsonl"], "tpl/plus.hbs": "{{a}} plus {{b}}? {{sum}}\n" },
    fixFiles: { "rows.jsonl": TASK_FILES["rows.jsonl"], "tpl/plus.hbs": TASK_FILES["tpl/plus.hbs"] },
  },
  AL3012: {
    bad: PS,
    fix: PS,
    how: "write the template in the Jinja subset alignc renders (fields, filters, if, answer_choices; no loops or macros), or use a .hbs folder",
    files: { "rows.jsonl": PS_ROWS, "t.yaml": psYaml("{% for w in text.split() %}{{ w }} {% endfor %}- good or bad?") },
    fixFiles: { "rows.jsonl": PS_ROWS, "t.yaml": psYaml("{{ text }} - good or bad?") },
  },
  AL3013: {
    bad: HF,
    fix: HF,
    how: "make the chat template render for a user prompt and an assistant response (it raises, or fails, on them as written)",
    files: { ...FILES, "tok.json": hfConfig("{{ raise_exception('a system message is required') }}") },
    fixFiles: { ...FILES, "tok.json": hfConfig("{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}") },
  },

  AL3020: {
    bad: RM,
    fix: RM.replace("k = 2..3", "k = 2..4"),
    how: "declare the K the rows have (`k = lo..hi`), or `k_outside = \"skip\"` to leave other rows out, counted",
    files: { ...FILES, "prefs.jsonl": PREFS.replace('"responses":["8","9","ten"],"ranking":"A > B > C"', '"responses":["8","9","ten","7"],"ranking":"A > B > C > D"') },
  },
  AL3021: {
    bad: RM,
    fix: RM,
    how: "rank each response once, by letter in the order of `responses` (`A > B = C`)",
    files: { ...FILES, "prefs.jsonl": PREFS.replace('"ranking":"B > A"', '"ranking":"B > B"') },
    fixFiles: FILES,
  },
  AL3022: {
    bad: `${DATA}source hh = jsonl("hh.jsonl") as pairs { shape = "hh" }\nstage sft = sft { init = m  data = demos  steps = 10 }\nstage rm = reward_model { init = sft  data = hh  steps = 10 }\n`,
    fix: `${DATA}source hh = jsonl("hh.jsonl") as pairs { shape = "hh" }\nstage sft = sft { init = m  data = demos  steps = 10 }\nstage rm = reward_model { init = sft  data = hh  steps = 10 }\n`,
    how: "an hh-rlhf pair is two transcripts that share every turn up to the last `Assistant:`; a pair of bare answers is `shape = \"plain\"` with a `prompt` field",
    files: { ...FILES, "hh.jsonl": '{"chosen":"4","rejected":"5"}\n{"chosen":"6","rejected":"7"}\n' },
    fixFiles: {
      ...FILES,
      "hh.jsonl": '{"chosen":"\\n\\nHuman: Add 2 and 2.\\n\\nAssistant: 4","rejected":"\\n\\nHuman: Add 2 and 2.\\n\\nAssistant: 5"}\n{"chosen":"\\n\\nHuman: Add 3 and 3.\\n\\nAssistant: 6","rejected":"\\n\\nHuman: Add 3 and 3.\\n\\nAssistant: 7"}\n',
    },
  },
  AL3060: {
    bad: `${STAGES}source qs = jsonl("qs.jsonl") { field = "q" }\nstage policy = ppo { init = sft  reward = rm  prompts = qs  steps = 10 }\n`,
    fix: `${STAGES}source qs = jsonl("qs.jsonl") as demonstrations { prompt = "{{q}}"  response = "{{a}}" }\nstage policy = ppo { init = sft  reward = rm  prompts = qs  steps = 10 }\n`,
    how: "give the block data of the kind its user reads: PPO's prompts from a demonstrations, rankings or task block (a source without a role whose rows have one text field is read as text)",
    files: { ...FILES, "qs.jsonl": '{"q":"Add 2 and 5."}\n{"q":"Add 3 and 1."}\n' },
    fixFiles: { ...FILES, "qs.jsonl": '{"q":"Add 2 and 5.","a":"7"}\n{"q":"Add 3 and 1.","a":"4"}\n' },
  },
  AL3040: {
    bad: `${DATA}source again = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }\nmixture mix_ = mix {\n  demos: weight 1.0\n  again: proportional cap 2\n}\nstage sft = sft { init = m  data = mix_  steps = 10 }\n`,
    fix: `${DATA}mixture mix_ = mix {\n  demos: weight 1.0\n}\nstage sft = sft { init = m  data = mix_  steps = 10 }\n`,
    how: "give the same data once, with the clauses you mean: the plan hashes what a component is, not its name, so it cannot tell which of two equal components carries which clause",
    files: FILES,
  },
  AL3030: {
    bad: SFT,
    fix: SFT,
    how: "give every example a response (or `on_error = \"skip\"` to leave such rows out, counted)",
    files: { ...FILES, "demos.jsonl": DEMOS.replace('"response":"7"', '"response":""') },
    fixFiles: FILES,
  },
  AL3033: {
    bad: SFT,
    fix: SFT,
    how: "give every demonstration a prompt: fill the empty field, or fix a template that prints nothing (`prompt = \"\"`, `{{#each}}` over a string); `on_error = \"skip\"` leaves such rows out, counted",
    files: { ...FILES, "demos.jsonl": DEMOS.replace('"instruction":"Add 6 and 1."', '"instruction":" "') },
    fixFiles: FILES,
  },
  AL3031: {
    bad: `${SFT.replace("steps = 10", "format = chat  steps = 10")}format chat = chat_template("chat.hbs")\n`,
    fix: `${SFT.replace("steps = 10", "format = chat  steps = 10")}format chat = chat_template("chat.hbs")\n`,
    how: "place `{{prompt}}` once and `{{response}}` once after it",
    files: { ...FILES, "chat.hbs": "User: {{prompt}}\nAssistant:\n" },
    fixFiles: { ...FILES, "chat.hbs": "User: {{prompt}}\nAssistant: {{response}}\n" },
  },
  AL3032: {
    bad: SFT.replace("steps = 10", "steps = 10  max_length = 13  truncate = \"right\""),
    fix: SFT.replace("steps = 10", "steps = 10  max_length = 32  truncate = \"right\""),
    how: "raise max_length (up to the model's context) so that responses fit, or shorten the data",
    files: FILES,
  },
  AL3070: {
    bad: `${SFT}eval held = lm_loss { model = sft  data = demos }\n`,
    fix: `${SFT.replace('response = "{{response}}"', 'response = "{{response}}"  holdout = 0.5')}eval held = lm_loss { model = sft  data = heldout(demos) }\n`,
    how: "evaluate on text kept out of training: a `holdout` share and `heldout(x)`, or another file",
    files: FILES,
  },
  AL3071: {
    bad: `${SFT.replace('response = "{{response}}"', 'response = "{{response}}"  holdout = 0.1')}eval held = lm_loss { model = sft  data = heldout(demos) }\n`,
    fix: `${SFT.replace('response = "{{response}}"', 'response = "{{response}}"  holdout = 0.5')}eval held = lm_loss { model = sft  data = heldout(demos) }\n`,
    how: "a split holds out round(holdout × distinct texts), 0.4 of a prompt here: raise the share, or give the source more rows",
    files: FILES,
  },
  AL3072: {
    bad: `${MODEL}stage pre = pretrain { init = m  data = text("corpus.txt")  steps = 10  holdout = 0.1 }\n`,
    fix: `${MODEL}stage pre = pretrain { init = m  data = text("corpus.txt")  steps = 10  holdout = 0.5 }\n`,
    how: "10 % of a 2-line corpus rounds to no line: raise `holdout`, give the corpus more lines, or write `holdout = 0` to train on all of it knowingly",
    files: { "corpus.txt": CORPUS },
  },
};
