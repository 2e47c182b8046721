// Task kinds: rows rendered through templates (FLAN-style instruction tasks).
// One keyword of the kinds table (src/check/kinds.ts, which says what a schema here means).
import { callSchema, dataCall, either, int, num, oneOfStr, range, refSchema, str, type KindSpec } from "../kind-schemas.js";

export const TASK_KINDS: Record<string, KindSpec> = {
  flan: {
    props: {
      data: either("task rows", dataCall("task rows"), refSchema(["source"], "task rows")),
      templates: either(
        "instruction templates: a folder of .hbs files, FLAN's Python patterns or a promptsource templates.yaml",
        callSchema(["dir", "flan_templates", "promptsource"], "template reader"),
      ),
      // fields = { answer = { from = "label"  map = { entailment = "yes"  not_entailment = "no" } }  text = "{{passage}}" }
      fields: {
        type: "object",
        additionalProperties: either(
          "a derived field",
          str("Handlebars template over the row (`\"{{passage}}\"`, `\"{{#if answer}}yes{{else}}no{{/if}}\"`)"),
          {
            type: "object",
            required: ["from", "map"],
            properties: {
              from: str("field whose value is looked up"),
              map: either(
                "value → text",
                { type: "object", additionalProperties: either("text, or an integer (promptsource's label indexes answer_choices)", { type: "string" }, { type: "integer" }), description: "by the value's text" },
                { type: "array", items: { type: "string" }, description: "by integer value (0, 1, …)" },
              ),
            },
            additionalProperties: false,
            description: "a value looked up in a table",
          },
        ),
        description: "fields derived from each row before templates render: the task's data in its own field names and labels (RTE's `label` → FLAN's `answer`)",
      },
      options: either("answer options shown as FLAN's OPTIONS list", { type: "array", items: { type: "string" } }, str("field holding the options")),
      shots: range("k-shot exemplars per example, drawn from the training split, never the query", { default: { $range: [0, 0] } }),
      invert: num("share of examples rendered input-inverted (given the target, produce the input)", { minimum: 0, maximum: 1, default: 0 }),
      holdout_templates: int("templates kept out of training for zero-shot eval", { minimum: 0, default: 0 }),
      train_templates: int("train on only the first N (by id) of the templates left after holdout_templates: FLAN's instruction-diversity ablation (1 vs all) with the same held-out templates; default all", { minimum: 1 }),
      holdout: num("share of distinct rows (records) kept out of training, each with every copy (src/data/split.ts)", { minimum: 0, maximum: 0.9, default: 0.1 }),
      // FLAN's format_options fills every {options_}, inverted patterns' included: a FLAN-pattern task whose recipe leaves with_options out
      // shows them always (defaultWhen, filled by the checker like `default`); promptsource templates show only their own text
      // on_error / k_outside: no `default` filled in, so that recipes that leave them out keep their
      // content identities (the seeds of their examples); left out means "fail" (failOrSkip, src/data/build-source.ts)
      on_error: oneOfStr(["fail", "skip"], "a row that cannot be used (bad JSON, missing field, no map entry, empty target): fail reports every one; skip leaves it out, counted in `data --stats` (default, when left out: fail — no silent loss)"),
      with_options: num("share of examples that show the options (.hbs folders, or FLAN patterns when written; FLAN patterns otherwise always, as FLAN)", {
        minimum: 0,
        maximum: 1,
        default: 0.5,
        defaultWhen: { prop: "templates", call: "flan_templates", value: 1 },
      }),
      target_field: str("FLAN patterns: the task's target field (default: the field most patterns produce, e.g. answer, summary, sent2); decides which templates are inverted"),
      limit: int("read at most this many rows", { minimum: 1 }),
    },
    required: ["data", "templates"],
  },
};
