// `alignc report RUN`: (re)write report.html for a run directory (path, id or unique id prefix).
import { pathToFileURL } from "node:url";
import { findRun, RunRefError } from "../../run/presentation/list.js";
import { writeReport } from "../../run/presentation/report.js";
import { escapeControl, escapeControlKeepLines } from "../../lang/escape.js";
import { ManifestError } from "../../run/storage/rundir.js";
import { JsonlError } from "../../run/storage/jsonl-log.js";
import { InputFileError } from "../../lang/read-file.js";
import { fsError } from "../../common/fs-error.js";

export async function run(args: string[], opts: Record<string, unknown>): Promise<number> {
  const ref = args[0];
  if (!ref) {
    process.stderr.write("usage: alignc report <run>\n");
    return 2;
  }
  let path: string;
  try {
    path = writeReport(findRun(ref));
  } catch (err) {
    // what a run folder can hold that the report cannot read, or the disk refusing the write: said, exit 1
    // (2 for no such run); anything else is a bug and goes to the internal-error handler, exit 70 (every
    // error was exit 1 here, so a TypeError of the renderer read as a damaged run: huntH42 F5)
    const known = err instanceof RunRefError || err instanceof ManifestError || err instanceof InputFileError || err instanceof JsonlError || fsError(err) !== undefined;
    if (!known) throw err;
    // the message may quote the run reference as given (a path, which may hold control characters)
    process.stderr.write(`alignc report: ${escapeControlKeepLines((err as Error).message)}\n`);
    return err instanceof RunRefError ? 2 : 1; // no such run: a usage error, as a missing input file is everywhere
  }
  process.stdout.write(opts.open ? `${pathToFileURL(path).href}\n` : `wrote ${escapeControl(path)}\n`);
  return 0;
}
