// A folder with a FLAN template folder (`tpl`, the addition task's templates), its data and a recipe
// that reads them (`t.align`), and alignc run in it: for tests of what a template folder may hold.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../repo-root.js";

const root = repoRoot();
const SRC = join(root, "templates", "flan", "addition");
export const TEMPLATES = readdirSync(SRC).filter((f) => f.endsWith(".hbs"));

/** `dir` with tpl/ (the addition templates, or none), addition.jsonl and t.align; returns dir. */
export function templateFolderRecipe(dir: string, withTemplates = true): string {
  mkdirSync(join(dir, "tpl"), { recursive: true });
  if (withTemplates) for (const f of readdirSync(SRC)) copyFileSync(join(SRC, f), join(dir, "tpl", f));
  copyFileSync(join(root, "recipes", "data", "tasks", "addition.jsonl"), join(dir, "addition.jsonl"));
  writeFileSync(
    join(dir, "t.align"),
    `recipe t { seed = 1 }
tokenizer chars = byte_level {}
model tiny = gpt { tokenizer = chars  layers = 1  d_model = 32  heads = 2  context = 64 }
task addition = flan { data = jsonl("addition.jsonl")  templates = dir("tpl")  holdout_templates = 2 }
stage sft = sft { init = tiny  data = addition  steps = 2  batch_size = 2  max_length = 64 }
`,
  );
  return dir;
}

/** alignc in `cwd`, with its own check cache (check keeps answers per folder content). */
export function alignc(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), ...args], { cwd, encoding: "utf8", timeout: 30_000, killSignal: "SIGKILL", env: { ...process.env, NO_COLOR: "1", XDG_CACHE_HOME: join(cwd, ".cache") } });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}
