// The golden export folders of the quickstart (recipes/exports/<name>/, test/export/golden.test.ts):
// one per target, each with the options it is exported with.
import type { ExportOptions } from "../../src/export/index.js";

export const GOLDENS: { name: string; opts: ExportOptions & { until?: string } }[] = [
  { name: "trl", opts: { to: "trl", nodes: 2, gpusPerNode: 8, dropPtx: true, trimRows: 4 } },
  { name: "openrlhf", opts: { to: "openrlhf", nodes: 2, gpusPerNode: 8, targetVersion: "0.7.0.post1", dropPtx: false, trimRows: 4 } },
  { name: "openrlhf-0.11", opts: { to: "openrlhf", nodes: 2, gpusPerNode: 8, targetVersion: "0.11.0", dropPtx: true, trimRows: 4 } },
  // Axolotl has no PPO: the quickstart exports up to its reward model
  { name: "axolotl", opts: { to: "axolotl", nodes: 2, gpusPerNode: 8, dropPtx: false, until: "rm", trimRows: 4 } },
];
