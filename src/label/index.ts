// `alignc label`'s library API: draw a samples source, load a candidates source, open a session on its labels file, serve the page, read statistics.
export { loadLabelConfig, labelTarget, candidateSetId, type LabelConfig, type CandidateSet } from "./candidates.js";
export { drawSamples, type Drawn, type DrawOptions } from "./samples.js";
export { LabelSession, skipsFileFor } from "./session.js";
export { startLabelServer, type LabelServer, type LabelServerOptions } from "./server.js";
export { labelStats, statsText, type LabelStats } from "./stats.js";
export { FLAGS as LABEL_FLAGS, type LabelLine, type SkipLine } from "./record.js";
