// `alignc fmt [--check] FILE…`: rewrite recipes in the canonical layout (src/lang/print.ts), comments
// kept. A file with syntax errors is left alone (its errors are printed). The output is re-parsed
// and compared with the input before anything is written, and writes are atomic (temp + rename), or
// in place behind a backup for a file with other hard links (src/common/in-place-write.ts).
// --check writes nothing and exits 1 when some file would change.
import { realpathSync } from "node:fs";
import { rewriteKeepingIdentity, rewriteRefusal } from "../../common/in-place-write.js";
import type { Diagnostic } from "../../lang/diagnostic.js";
import { hasErrors } from "../../lang/diagnostic.js";
import { parseRecipe } from "../../lang/parse.js";
import { printRecipe } from "../../lang/print.js";
import { renderDiagnostics, summarize, useColor } from "../../lang/render.js";
import { sameRecipe } from "../../lang/strip.js";
import { InputFileError, NotUtf8Error, READ_LIMITS, readRegularText } from "../../lang/read-file.js";
import { escapeControl } from "../../lang/escape.js";
import { fsError } from "../../common/fs-error.js";
import { handlePendingSignals } from "../../common/temp-cleanup.js";
import { streamPath } from "../../common/fs-probe.js";

export async function run(args: string[], opts: Record<string, unknown>): Promise<number> {
  if (args.length === 0) {
    process.stderr.write("usage: alignc fmt [--check] FILE…\n");
    return 2;
  }
  const checkOnly = opts["check"] === true;
  let code = 0;
  const raise = (c: number): void => {
    code = Math.max(code, c);
  };
  for (const file of args) {
    await handlePendingSignals(); // a Ctrl-C during the last file's write stops here, before the next one
    // a stream's name (/dev/stdin, /dev/fd/0, /proc/self/fd/0) leads to whatever the shell opened:
    // `fmt /dev/stdin < r.align` rewrote r.align in place, where a formatter is expected to filter (hunt38)
    if (streamPath(file) !== null) {
      process.stderr.write(`alignc fmt: ${escapeControl(file)} names a stream; fmt rewrites recipe files in place: name the file (alignc fmt r.align)\n`);
      raise(2);
      continue;
    }
    let text: string;
    let readTarget: string;
    try {
      text = readRegularText(file, READ_LIMITS.recipe, "recipe");
      // the file read, through any symlink: the write goes there only if the path still leads there
      // and the file still holds `text` (changedSince), so a link repointed since the read is refused
      readTarget = resolvedOr(file);
    } catch (err) {
      if (err instanceof NotUtf8Error) {
        // located like a syntax error, and never rewritten: the U+FFFD a lossy decode puts in would be
        // written over the user's byte
        printDiagnostics([{ code: "AL1007", severity: "error", message: err.located, file, span: err.span }], file, err.lossyText);
        raise(1);
        continue;
      }
      if (!(err instanceof InputFileError)) throw err;
      process.stderr.write(`alignc fmt: ${escapeControl(err.message)}\n`);
      raise(2);
      continue;
    }
    const { ast, diagnostics } = parseRecipe(text, file);
    if (hasErrors(diagnostics)) {
      printDiagnostics(diagnostics, file, text);
      raise(1);
      continue;
    }
    // the canonical layout, in the file's own line endings (CRLF where every line ends so) and with
    // its byte-order mark where it had one: neither means anything to the parser
    const out = keepEncoding(text, printRecipe(ast));
    const again = parseRecipe(out, file);
    if (hasErrors(again.diagnostics) || !sameRecipe(ast, again.ast)) {
      process.stderr.write(`alignc fmt: ${escapeControl(file)}: internal error: the formatted text does not mean the same; file left unchanged\n`);
      raise(1);
      continue;
    }
    if (out === text) continue;
    if (checkOnly) {
      process.stdout.write(`would reformat ${escapeControl(file)}\n`);
      raise(1);
      continue;
    }
    // the user's file, rewritten where it is: through a symlink to its target (the link stays), with
    // its permissions, never when it is read-only or an interrupted rewrite left its backup
    const target = readTarget;
    const refusal = rewriteRefusal(target); // read-only, or a backup an interrupted rewrite left
    if (refusal) {
      process.stderr.write(`alignc fmt: ${escapeControl(file)} ${escapeControl(refusal)}; not formatted\n`);
      raise(2);
      continue;
    }
    try {
      // synchronous: a signal waits until the file is written and renamed (temp-cleanup.ts), so
      // Ctrl-C stops `fmt` between files, never with a temp file left beside the recipe. The file
      // about to be replaced must still be the one read, with the text read: a symlink repointed, or
      // the recipe edited, while fmt ran would otherwise be overwritten with the old recipe's
      // formatted text (checked once the new text is staged, just before the rename)
      rewriteKeepingIdentity(target, out, () => {
        const changed = changedSince(file, target, text);
        if (changed) throw new ChangedWhileFormatting(changed);
      });
    } catch (err) {
      if (err instanceof ChangedWhileFormatting) {
        process.stderr.write(`alignc fmt: ${escapeControl(file)} ${err.message} while it was being formatted; not formatted (run fmt again)\n`);
        raise(1);
        continue;
      }
      const e = fsError(err); // a full or read-only disk: the file is left as it was (the temp file is removed)
      if (!e) throw err;
      process.stderr.write(`alignc fmt: cannot write ${escapeControl(file)}: ${escapeControl(e.message)}${/half-written/.test(e.message) ? "" : "; left unchanged"}\n`);
      raise(2);
      continue;
    }
    process.stdout.write(`formatted ${escapeControl(file)}\n`);
  }
  return code;
}

function resolvedOr(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

class ChangedWhileFormatting extends Error {}

/** What changed about the recipe since it was read (its path leads elsewhere, or its text differs), or null. */
export function changedSince(file: string, target: string, text: string): string | null {
  try {
    if (realpathSync(file) !== target) return "now leads to another file";
    return readRegularText(target, READ_LIMITS.recipe, "recipe") === text ? null : "changed";
  } catch {
    return "was moved, removed or replaced"; // gone, or no longer a regular UTF-8 file
  }
}

/** `printed` (LF, no BOM) in the line endings and byte-order mark of `original`. */
function keepEncoding(original: string, printed: string): string {
  const bom = original.startsWith("\uFEFF") ? "\uFEFF" : "";
  const lf = printed.replace(/\r\n/g, "\n"); // a comment kept verbatim may hold CRLF
  const crlf = original.includes("\r\n") && !/(^|[^\r])\n/.test(original);
  return bom + (crlf ? lf.replace(/\n/g, "\r\n") : lf);
}

function printDiagnostics(ds: Diagnostic[], file: string, text: string): void {
  process.stderr.write(`${renderDiagnostics(ds, new Map([[file, text]]), { color: useColor(process.stderr) })}\n\n${summarize(ds)} (${escapeControl(file)} not formatted)\n`);
}
