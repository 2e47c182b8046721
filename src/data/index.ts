// The data layer's public API: a plan's data nodes → examples (examplesOf; buildExamples names them by block), cheap sizes for the
// planner (countExamples), and the lower-level pieces for export and run.
export type * from "./types.js";
export { buildExamples, buildRaw, buildValue, buildPrompts, loadFormat, loadTemplates, readData, examplesOf, buildNode, buildParam, promptsOf, chatFormatOf, dataPlanOf, dataPlanFromPlan, type BuildOptions, type RecipeBuildOptions, type RawData, type DataPlan } from "./build.js";
export { countExamples, SAMPLE_ROWS } from "./stats.js";
export { recipeTokenizer } from "./recipe-tokenizer.js";
export { byteLevel, bpeTokenizer, trainBpe, gpt2, type BpeModel } from "./tokenizers.js";
export { tokenizeExample, tokenizeText, type TokenizeOptions } from "./tokenize.js";
export { handlebarsChat, hfChat, formatExample, RAW_FORMAT } from "./chat.js";
export { readRows, readJsonl, readJsonArray, readCsv, readTextLines, fieldString, READER_KINDS, type Row, type RowSet, type ReaderKind, type Fields } from "./readers.js";
export { countRows } from "./count-rows.js";
export { renderFlan, checkPlaceholders, splitTemplates, DERIVED_INVERSION, SHOT_SEPARATOR, type FlanTaskSpec, type FlanOutput } from "./flan/render.js";
export { loadTemplateDir, parseTemplateFile, loadFlanTemplates, loadPromptsource, SEPARATOR } from "./flan/loaders.js";
export { formatOptions, type TaskTemplate, type Placeholder } from "./flan/template.js";
export { readDemonstrations, type DemoSpec } from "./demos.js";
export { readRankings, expandRankings, pairsFromRanks, parseRankingString, splitTranscripts, type RankingSpec } from "./rankings.js";
export { mix, allocate, componentCounts, normalizeText, type MixComponent, type MixOptions, type MixResult } from "./mix.js";
export { DataError, CODES as DATA_CODES } from "./diag.js";
