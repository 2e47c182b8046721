// Which entries of a FLAN template folder (`templates = dir("…")`) are templates: one rule for the
// loader that reads them (src/data/flan/loaders.ts), the plan that hashes them (src/plan/file-hashes.ts)
// and the run's check that the folder still holds what the plan listed (src/run/storage/planned-files.ts).
// A README, an editor's backup `a.hbs~` or a subfolder is never read, so it neither enters the hash
// (it re-ran every stage downstream) nor stops a run; the folder is listed, never walked (`dir("/")`
// lists one folder).
import { lstatSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { InputFileError, specialKind } from "../lang/read-file.js";

/** A template's file name: ends `.hbs`, not hidden (macOS's `._x.hbs`, emacs's `.#x.hbs` are not templates). */
const isTemplateName = (name: string): boolean => name.endsWith(".hbs") && !name.startsWith(".");

/** The template file names directly in `dir`, sorted by name (the order holdout_templates counts from). */
export function templateNames(dir: string): string[] {
  return readdirSync(dir).filter(isTemplateName).sort();
}

/** templateNames, each a regular file or a link to one: the loader reads every one, so a folder, a
 * FIFO or a link to nothing under a template's name is an InputFileError here, before it is hashed
 * (a FIFO would block the read). */
export function templateFiles(dir: string): string[] {
  const names = templateNames(dir);
  for (const name of names) {
    const abs = join(dir, name);
    let st;
    try {
      st = statSync(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
      const link = lstatSync(abs, { throwIfNoEntry: false })?.isSymbolicLink();
      throw new InputFileError(`folder ${dir}: ${name} ${link ? `is a symbolic link ${code === "ELOOP" ? "in a loop" : code === "ENOENT" ? "to nothing (broken)" : `that cannot be followed (${code})`}` : `cannot be read (${code})`}`, dir);
    }
    if (!st.isFile()) throw new InputFileError(`folder ${dir}: ${name} is ${specialKind(st)}, not a regular file: alignc reads only regular files`, dir);
  }
  return names;
}
