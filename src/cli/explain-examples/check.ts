// Examples of the check codes (AL2xxx, src/check/codes.ts): each recipe is rejected by `alignc check`
// at the declaration, property or value that the message names.
import { CORPUS as CORPUS_TEXT, FILES, MIXED, STAGES, TASK_FILES } from "./fixtures.js";
import { HEADER, type CodeExample } from "./types.js";

const CORPUS = { "corpus.txt": CORPUS_TEXT };
const PRE = `stage pre = pretrain { init = m  data = text("corpus.txt")  steps = 10 }\n`;
const M = "model m = gpt { tokenizer = bytes }\n";

export const CHECK_EXAMPLES: Record<string, CodeExample> = {
  AL2001: {
    bad: `${HEADER}model m = gpt { tokenizer = bytes }\nmodel m = gpt { tokenizer = bytes  layers = 4 }\n`,
    fix: `${HEADER}model m = gpt { tokenizer = bytes }\nmodel m_deep = gpt { tokenizer = bytes  layers = 4 }\n`,
    how: "give each block its own name (references use it)",
  },
  AL2002: {
    bad: `${HEADER}modle m = gpt { tokenizer = bytes }\n`,
    fix: `${HEADER}${M}`,
    how: "use one of the keywords tokenizer, model, source, task, mixture, format, stage, eval (the hint names the closest)",
  },
  AL2003: {
    bad: `${HEADER}model m = gtp { tokenizer = bytes }\n`,
    fix: `${HEADER}${M}`,
    how: "use a kind of that keyword (the hint names the closest, or the keyword the kind belongs to)",
  },
  AL2004: {
    bad: `${HEADER}model m = gpt { tokenizer = bytes  layer = 2 }\n`,
    fix: `${HEADER}model m = gpt { tokenizer = bytes  layers = 2 }\n`,
    how: "use a property of the block's kind (`alignc check` suggests the closest; a property of a sibling kind is named as such)",
  },
  AL2005: {
    bad: `${HEADER}source demos = jsonl("demos.jsonl") as demonstration { prompt = "{{instruction}}"  response = "{{response}}" }\n`,
    fix: `${HEADER}source demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }\n`,
    how: "use one of the roles demonstrations, rankings, pairs, text, records, candidates (a samples(…) source: candidates or rankings)",
    files: { "demos.jsonl": FILES["demos.jsonl"] },
  },
  AL2006: {
    bad: `${HEADER}model m = gpt { tokenizer = bytes  layers = "two" }\n`,
    fix: `${HEADER}model m = gpt { tokenizer = bytes  layers = 2 }\n`,
    how: "give the value the type the kind declares (the message says which)",
  },
  AL2007: {
    bad: `${HEADER}model m = gpt { layers = 2 }\n`,
    fix: `${HEADER}model m = gpt { tokenizer = bytes  layers = 2 }\n`,
    how: "add the property the message names",
  },
  AL2008: {
    bad: `${HEADER}model m = gpt { tokenizer = bytes  dropout = 1.5 }\n`,
    fix: `${HEADER}model m = gpt { tokenizer = bytes  dropout = 0.1 }\n`,
    how: "bring the value into the range the message states",
  },
  AL2009: {
    bad: `${HEADER}model m = gpt { tokenizer = byts }\n`,
    fix: `${HEADER}${M}`,
    how: "reference a block declared in the recipe (or one it extends)",
  },
  AL2010: {
    bad: `${HEADER}${M}stage a = pretrain { init = b  data = text("corpus.txt")  steps = 10 }\nstage b = pretrain { init = a  data = text("corpus.txt")  steps = 10 }\n`,
    fix: `${HEADER}${M}stage a = pretrain { init = m  data = text("corpus.txt")  steps = 10 }\nstage b = pretrain { init = a  data = text("corpus.txt")  steps = 10 }\n`,
    how: "break the cycle: one of the blocks must start from something outside it (a model, an earlier stage)",
    files: CORPUS,
  },
  AL2011: {
    bad: `${HEADER}${M}model n = gpt { tokenizer = m }\n`,
    fix: `${HEADER}${M}model n = gpt { tokenizer = bytes }\n`,
    how: "reference a block of the kind the property accepts (the message lists them)",
  },
  AL2012: {
    bad: `${HEADER}model m = gpt { tokenizer = bytes  d_model = 100  heads = 3 }\n`,
    fix: `${HEADER}model m = gpt { tokenizer = bytes  d_model = 96  heads = 3 }\n`,
    how: "choose d_model a multiple of heads (the hint names a heads that divides it)",
  },
  AL2013: {
    bad: `${HEADER}source prefs = jsonl("prefs.jsonl") as rankings { k = 3..2 }\n`,
    fix: `${HEADER}source prefs = jsonl("prefs.jsonl") as rankings { k = 2..3 }\n`,
    how: "write a range low end first: lo..hi with lo ≤ hi",
    files: { "prefs.jsonl": FILES["prefs.jsonl"] },
  },
  AL2014: {
    bad: `${HEADER}source prefs = jsonl("prefs.jsonl") as rankings { k = 1..3 }\n`,
    fix: `${HEADER}source prefs = jsonl("prefs.jsonl") as rankings { k = 2..3 }\n`,
    how: "a ranking compares at least 2 responses: start the k range at 2 or more",
    files: { "prefs.jsonl": FILES["prefs.jsonl"] },
  },
  AL2015: {
    bad: `${STAGES}stage policy = ppo { init = sft  reward = rm  prompts = prefs.promps  steps = 10 }\n`,
    fix: `${STAGES}stage policy = ppo { init = sft  reward = rm  prompts = prefs.prompts  steps = 10 }\n`,
    how: "use a member the block has (a source's `prompts`; an eval's or stage's metric in expect), with one dot",
    files: FILES,
  },
  AL2016: {
    bad: `${HEADER}${M}stage pre = pretrain { init = m  data = text("corpus.text")  steps = 10 }\n`,
    fix: `${HEADER}${M}${PRE}`,
    how: "name a file that exists; paths resolve against the recipe's folder, not the current directory",
    files: CORPUS,
  },
  AL2017: {
    bad: `${HEADER}${M}stage pre = pretrain { init = m  data = text("data")  steps = 10 }\n`,
    fix: `${HEADER}${M}stage pre = pretrain { init = m  data = text("data/corpus.txt")  steps = 10 }\n`,
    how: "give a file where a file is read (text, jsonl, csv …) and a folder where a folder is (dir of templates)",
    files: { "data/corpus.txt": CORPUS_TEXT },
  },
  AL2018: {
    bad: `${HEADER}${M}stage pre = pretrain { init = m  data = txt("corpus.txt")  steps = 10 }\n`,
    fix: `${HEADER}${M}${PRE}`,
    how: "call a function alignc knows (the hint names the closest) with the arguments it takes",
    files: CORPUS,
  },
  AL2019: {
    bad: `${HEADER}${M}budget { time <= 10mins }\n`,
    fix: `${HEADER}${M}budget { time <= 10m }\n`,
    how: "use one of the units s m h d (time), B KB MB GB KiB MiB GiB (memory), k M G (counts)",
  },
  AL2020: {
    bad: `${HEADER}${M}${PRE}expect { pre.los <= 3 }\n`,
    fix: `${HEADER}${M}${PRE}expect { pre.loss <= 3 }\n`,
    how: "name a metric the stage or eval provides (the hint names the closest; `alignc explain` lists them per kind in src/check/kinds.ts METRICS)",
    files: CORPUS,
  },
  AL2021: {
    bad: `${HEADER}${M}${PRE}expect { pre.loss <= "low" }\n`,
    fix: `${HEADER}${M}${PRE}expect { pre.loss <= 3 }\n`,
    how: "compare a metric with a number or with another metric",
    files: CORPUS,
  },
  AL2022: {
    bad: `${HEADER}${M}budget { tme <= 10m }\n`,
    fix: `${HEADER}${M}budget { time <= 10m }\n`,
    how: "budget one of time, memory, flops, tokens",
  },
  AL2023: {
    bad: `${HEADER}${M}budget { memory <= 10m }\n`,
    fix: `${HEADER}${M}budget { memory <= 4GiB }\n`,
    how: "give the budget its own unit (time in s m h d, memory in bytes) and an upper bound (`<=`)",
  },
  AL2025: {
    bad: `${HEADER}model m = gpt { tokenizer = bytes  layers = 2  layers = 4 }\n`,
    fix: `${HEADER}model m = gpt { tokenizer = bytes  layers = 4 }\n`,
    how: "write each property once in a block",
  },
  AL2026: {
    bad: `${HEADER}source demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }\nmixture mix1 = mix { demos: weight 1  demos: weight 2 }\n`,
    fix: `${HEADER}source demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }\nmixture mix1 = mix { demos: weight 2 }\n`,
    how: "write each component once, with all its clauses",
    files: { "demos.jsonl": FILES["demos.jsonl"] },
  },
  AL2027: {
    bad: `${HEADER}source demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }\nmixture mix1 = mix { demos: proportionl }\n`,
    fix: `${HEADER}source demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }\nmixture mix1 = mix { demos: proportional }\n`,
    how: "use the clauses proportional, cap N, weight W (each with its number where it takes one)",
    files: { "demos.jsonl": FILES["demos.jsonl"] },
  },
  AL2028: {
    bad: `${HEADER}source demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }\nmixture mix1 = mix { demos: proportional weight 2 }\n`,
    fix: `${HEADER}source demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }\nmixture mix1 = mix { demos: weight 2 }\n`,
    how: "mix a component either proportionally (by its size, optionally capped) or by a weight, not both; give a mixture at least one component",
    files: { "demos.jsonl": FILES["demos.jsonl"] },
  },
  AL2029: {
    bad: `recipe r extends "bse.align" { m.layers = 4 }\n`,
    fix: `recipe r extends "base.align" { m.layers = 4 }\n`,
    how: "extend a .align file that exists (the path resolves against this recipe's folder)",
    files: { "base.align": `recipe base { seed = 1 }\ntokenizer bytes = byte_level {}\n${M}` },
  },
  AL2030: {
    bad: `recipe r extends "base.align" { m.layers = 4 }\n`,
    fix: `recipe r extends "base.align" { m.layers = 4 }\n`,
    how: "a base recipe must not extend its variant: make the base stand alone",
    files: { "base.align": `recipe base extends "r.align" { seed = 1 }\ntokenizer bytes = byte_level {}\n${M}` },
    fixFiles: { "base.align": `recipe base { seed = 1 }\ntokenizer bytes = byte_level {}\n${M}` },
  },
  AL2031: {
    bad: `recipe r extends "base.align" { n.layers = 4 }\n`,
    fix: `recipe r extends "base.align" { m.layers = 4 }\n`,
    how: "override a block the base declares (the hint names the closest)",
    files: { "base.align": `recipe base { seed = 1 }\ntokenizer bytes = byte_level {}\n${M}` },
  },
  AL2032: {
    bad: `recipe r extends "base.align" { m.layers.x = 4 }\n`,
    fix: `recipe r extends "base.align" { m.layers = 4 }\n`,
    how: "write an override as `block.property` (or `block.property.sub` for a nested block)",
    files: { "base.align": `recipe base { seed = 1 }\ntokenizer bytes = byte_level {}\n${M}` },
  },
  AL2033: {
    bad: `${HEADER}model m = gpt { tokenizer = bytes  layers = sweep [] }\n`,
    fix: `${HEADER}model m = gpt { tokenizer = bytes  layers = sweep [1, 2] }\n`,
    how: "sweep a non-empty list of values, at a property's top level (not inside another sweep or list)",
  },
  AL2034: {
    bad: `${HEADER}${M}stage pre = pretrain { init = m  data = text("corpus.txt")  steps = 10 }\nstage sft = sft { init = pre  data = demos }\nsource demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }\n`,
    fix: `${HEADER}${M}stage pre = pretrain { init = m  data = text("corpus.txt")  steps = 10 }\nstage sft = sft { init = pre  data = demos  steps = 10 }\nsource demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }\n`,
    how: "give the stage a length: `steps = N` or `epochs = N`",
    files: { "corpus.txt": CORPUS_TEXT, "demos.jsonl": FILES["demos.jsonl"] },
  },
  AL2041: {
    bad: `${HEADER}${M}stage sft = sft { init = m  data = demos  steps = 10  epochs = 2 }\nsource demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }\n`,
    fix: `${HEADER}${M}stage sft = sft { init = m  data = demos  steps = 10 }\nsource demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }\n`,
    how: "keep one length: `steps = N` or `epochs = N` (a stage with both trains `steps`)",
    files: { "demos.jsonl": FILES["demos.jsonl"] },
  },
  AL2035: {
    bad: `${STAGES.replace("k = 2..3  holdout = 0.5", "k = 2..3")}eval acc = rm_accuracy { model = rm  data = heldout(prefs) }\n`,
    fix: `${STAGES}eval acc = rm_accuracy { model = rm  data = heldout(prefs) }\n`,
    how: "give the block a `holdout` share (e.g. holdout = 0.1), or evaluate on another block",
    files: FILES,
  },
  AL2036: {
    bad: `${MIXED}mixture mixd = mix { add: proportional  demos: weight 1  heldout_tasks = [add, demos] }\n`,
    fix: `${MIXED}mixture mixd = mix { add: proportional  demos: weight 1  heldout_tasks = [add] }\n`,
    how: "hold out components of this mixture, each once, and leave at least one to train on",
    files: { ...TASK_FILES, "demos.jsonl": FILES["demos.jsonl"] },
  },
  AL2037: {
    bad: `${MIXED}mixture mixd = mix { add: proportional  demos: weight 1 }\neval acc = accuracy { model = m  task = mixd  split = heldout_tasks }\n`,
    fix: `${MIXED}mixture mixd = mix { add: proportional  demos: weight 1  heldout_tasks = [add] }\neval acc = accuracy { model = m  task = mixd  split = heldout_tasks }\n`,
    how: "hold a task out of the mixture (`heldout_tasks = [task]`), or score another split (heldout_templates, heldout)",
    files: { ...TASK_FILES, "demos.jsonl": FILES["demos.jsonl"] },
  },
  AL2038: {
    bad: `${HEADER}${M}${PRE}expect ful_size { pre.loss <= 3 }\n`,
    fix: `${HEADER}${M}${PRE}expect full_size { pre.loss <= 3 }\n`,
    how: "write `expect { … }`, or `expect full_size { … }` for expectations that hold only at full size; a budget line is one quantity, without + or -",
    files: CORPUS,
  },
  AL2039: {
    bad: "recipe r { seed = 1 }\n",
    fix: HEADER,
    how: "declare at least one block; an empty file or a header alone is usually the wrong file, or one not saved yet",
  },
  AL2042: {
    bad: `${HEADER}source sst2 = text("sst2.txt") as records { pattern = "^([01]) (.*)$" }\n`,
    fix: `${HEADER}source sst2 = text("sst2.txt") as records { pattern = "^(?<label>[01]) (?<sentence>.*)$" }\n`,
    how: "name each field a group, `(?<name>…)`, in a JavaScript regular expression (Unicode mode); a literal `(` or `.` is escaped",
    files: { "sst2.txt": "1 a gripping film .\n0 dull , dull , dull\n" },
  },
  AL2040: {
    bad: `${STAGES}source txt = text("corpus.txt") as text {}\nsource drawn = samples(sft) as rankings { prompts = txt  labeler = "rule" }\n`,
    fix: `${STAGES}source drawn = samples(sft) as rankings { prompts = train(prefs)  labeler = "rule" }\n`,
    how: "draw for prompts that carry reference answers (a rankings or demonstrations source whose rows have one), or label the samples yourself (`as candidates`, `alignc label`)",
    files: { ...FILES, ...CORPUS },
    fixFiles: FILES,
  },
  AL2043: {
    bad: `${STAGES.replace('response = "{{response}}" }', 'response = "{{response}}"  system = "Answer with a number." }')}source cands = samples(sft) as candidates { prompts = demos  labels = labeled }\nsource labeled = jsonl("labels.jsonl") as rankings { k = 2..4 }\n`,
    fix: `${STAGES.replace('response = "{{response}}" }', 'response = "{{response}}"  system = "Answer with a number." }')}source cands = samples(sft) as candidates { prompts = demos  labels = labeled }\nsource labeled = jsonl("labels.jsonl") as rankings { k = 2..4  system = "Answer with a number." }\n`,
    how: "give the rankings source the labels go to the system text the draw's prompts were asked with (a source's `system` is one text for all its rows), so the reward model reads them as the model was asked them",
    files: FILES,
  },
};
