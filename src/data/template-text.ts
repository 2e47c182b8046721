// A template file's text (a FLAN or promptsource template, a chat template, a tokenizer_config.json):
// a regular file only, of at most READ_LIMITS.template — a FIFO named `*.hbs` in a template folder
// would be read forever, a folder so named is EISDIR — reported as AL3001 located at the file, whose
// path the location already gives.
import { InputFileError, NotUtf8Error, READ_LIMITS, readRegularText } from "../lang/read-file.js";
import { CODES, fail } from "./diag.js";

export function readTemplateText(file: string, what: string): string {
  try {
    // a leading BOM (Windows editors write one) is no part of the template: kept, it went into every
    // prompt as an invisible U+FEFF; recipes and data files drop it the same way
    return readRegularText(file, READ_LIMITS.template, what).replace(/^\uFEFF/, "");
  } catch (err) {
    // a latin1 byte in a template went into every prompt as U+FFFD: located at the byte, as in data files
    if (err instanceof NotUtf8Error) fail(CODES.brokenLine, err.located, file, err.span, "convert the template to UTF-8 (iconv -f latin1 -t utf-8)");
    if (err instanceof InputFileError) fail(CODES.fileMissing, err.withoutPath, file);
    throw err;
  }
}
