// Errors the filesystem raises while alignc writes (a full or read-only disk, a folder without write
// permission, a cross-device move): the user's environment, reported with its reason and exit 1/2,
// never the internal-error exit 70 that a bug gets.

/** The error when it came from a filesystem call (it has an errno code and a syscall), else undefined. */
export function fsError(err: unknown): NodeJS.ErrnoException | undefined {
  const e = err as NodeJS.ErrnoException | null;
  return e instanceof Error && typeof e.code === "string" && typeof e.syscall === "string" ? e : undefined;
}
