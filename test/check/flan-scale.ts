// A FLAN-2022-scale recipe for timing `alignc check`: 1,836 tasks × 10 templates (18,360 template
// files), one mixture over all tasks, pretrain → SFT, accuracy before/after. Written into a fresh
// temporary folder with every file it names, so it checks clean. Used by benchmarks.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface ScaleRecipe {
  dir: string;
  file: string;
  tasks: number;
  templates: number;
}

export function writeFlanScaleRecipe(tasks = 1836, templatesPerTask = 10, into?: string): ScaleRecipe {
  const dir = into ?? mkdtempSync(join(tmpdir(), "alignc-flan-scale-"));
  mkdirSync(join(dir, "data"), { recursive: true });
  mkdirSync(join(dir, "templates"), { recursive: true });
  writeFileSync(join(dir, "data/corpus.txt"), "4 plus 3 is 7.\n");
  writeFileSync(join(dir, "templates/plain.hbs"), "{{prompt}}\n{{response}}");
  const lines = [
    "recipe flan_scale { seed = 1 }",
    "tokenizer chars = byte_level {}",
    "model tiny = gpt { tokenizer = chars  layers = 2  d_model = 128  heads = 4  context = 64 }",
  ];
  const components: string[] = [];
  for (let i = 0; i < tasks; i++) {
    writeFileSync(join(dir, `data/t${i}.jsonl`), '{"input":"a","target":"b"}\n');
    mkdirSync(join(dir, `templates/t${i}`), { recursive: true });
    for (let j = 0; j < templatesPerTask; j++) writeFileSync(join(dir, `templates/t${i}/${String(j).padStart(2, "0")}.hbs`), "{{input}}");
    lines.push(
      `task t${i} = flan {`,
      `  data = jsonl("data/t${i}.jsonl")`,
      `  templates = dir("templates/t${i}")`,
      `  options = ["a", "b"]`,
      `  shots = 0..2`,
      `  invert = 0.1`,
      `  holdout_templates = 2`,
      `}`,
    );
    components.push(`  t${i}: proportional cap 3000`);
  }
  lines.push(
    "mixture all_tasks = mix {",
    ...components,
    "}",
    'format chat = chat_template("templates/plain.hbs")',
    'stage pre = pretrain { init = tiny  data = text("data/corpus.txt")  steps = 10 }',
    "stage sft = sft { init = pre  data = all_tasks  format = chat  steps = 10 }",
    "eval before = accuracy { model = pre  task = all_tasks }",
    "eval after = accuracy { model = sft  task = all_tasks }",
    "expect { after.accuracy > before.accuracy }",
  );
  const file = join(dir, "flan-scale.align");
  writeFileSync(file, lines.join("\n") + "\n");
  return { dir, file, tasks, templates: tasks * templatesPerTask };
}
