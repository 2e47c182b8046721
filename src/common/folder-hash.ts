// A folder by content, the one copy: every regular file under it (the bounded walk of
// src/lang/read-file.ts: links to files hashed through, links to folders skipped, special files refused, at most MAX_FOLDER_ENTRIES) with the
// sha256 of its bytes, in path order. The cache's entry records, the data layer's code fingerprint
// and data identities read folders through it. (A plan's `dir(…)` template folders are listed by the
// loader's rule instead: src/common/template-folder.ts.)
import { hashRegularFile, listFolderFiles } from "../lang/read-file.js";

export interface FolderHashOptions {
  /** walk dot-files and dot-folders too */
  dotFiles: boolean;
  /** keep only these files (a `/`-separated path relative to the folder) */
  include?: (rel: string) => boolean;
}

/** [relative path, sha256 hex] for every file under `abs`, sorted by path (code-unit order). */
export function folderDigests(abs: string, opts: FolderHashOptions): [string, string][] {
  const files = listFolderFiles(abs, { dotFiles: opts.dotFiles }).filter((rel) => opts.include?.(rel) ?? true);
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const sep = abs.endsWith("/") ? "" : "/";
  return files.map((rel) => [rel, hashRegularFile(`${abs}${sep}${rel}`)]);
}
