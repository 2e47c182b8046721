// The repository root for tests and benchmarks: the one lookup in src/common/repo-root.ts.
export { repoRoot } from "../src/common/repo-root.js";
