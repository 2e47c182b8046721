// A template file's text (a FLAN or promptsource template, a chat template, a tokenizer_config.json):
// a regular file only, of at most READ_LIMITS.template — a FIFO named `*.hbs` in a template folder
// would be read forever, a folder so named is EISDIR — reported as AL3001 located at the file, whose
// path the location already gives. The bytes read are recorded, as the data readers' are.
import { InputFileError, NotUtf8Error, READ_LIMITS, readRegularText } from "../lang/read-file.js";
import { recordRead, sha256Of } from "../lang/read-digests.js";
import { CODES, fail } from "./diag.js";

export function readTemplateText(file: string, what: string): string {
  try {
    // a leading BOM (Windows editors write one) is no part of the template: kept, it went into every
    // prompt as an invisible U+FEFF; recipes and data files drop it the same way
    const text = readRegularText(file, READ_LIMITS.template, what);
    // what a run holds to its plan's sha256 (src/lang/read-digests.ts): valid UTF-8 (readRegularText
    // refuses other bytes) encodes back to the very bytes read
    recordRead(file, sha256Of(Buffer.from(text, "utf8")));
    return text.replace(/^\uFEFF/, "");
  } catch (err) {
    // a latin1 byte in a template went into every prompt as U+FFFD: located at the byte, as in data files
    if (err instanceof NotUtf8Error) fail(CODES.brokenLine, err.located, file, err.span, "convert the template to UTF-8 (iconv -f latin1 -t utf-8)");
    if (err instanceof InputFileError) fail(CODES.fileMissing, err.withoutPath, file);
    throw err;
  }
}
