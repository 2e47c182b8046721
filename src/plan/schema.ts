// The published JSON Schema (draft-07) of plan.json (`alignc schema plan`) and of `alignc diff --json`
// (`alignc schema diff`). Tests validate every plan and diff they produce against these with ajv.

const sha256 = { type: "string", pattern: "^[0-9a-f]{64}$" };
const json = {}; // any JSON value

const estimates = {
  type: "object",
  additionalProperties: false,
  properties: {
    size: {
      type: "object",
      additionalProperties: false,
      required: ["examples", "tokens", "max_tokens"],
      properties: {
        examples: { type: "integer", minimum: 0 },
        tokens: { type: "number", minimum: 0 },
        max_tokens: { type: "number", minimum: 0 },
        lengths: {
          type: "array",
          items: { type: "number", minimum: 0 },
          description: "token length of a training row at the quantiles (i + ½)/20 of the sample: how far batches are padded",
        },
        comparisons: { type: "integer", minimum: 0 },
        responses: { type: "integer", minimum: 0, description: "ranking data: responses over all groups (K per group)" },
        heldout: { type: "integer", minimum: 0 },
        estimated: { const: true, description: "tokens and max_tokens measured on a sample of the examples (shown as ≈)" },
      },
    },
    truncation: {
      type: "object",
      additionalProperties: false,
      required: ["examples", "lose_prompt", "lose_response", "max_length", "truncate"],
      description: "sft/reward_model/dpo stages: how many training examples lose prompt or response tokens to truncation at max_length",
      properties: {
        examples: { type: "integer", minimum: 0 },
        lose_prompt: { type: "integer", minimum: 0 },
        lose_response: { type: "integer", minimum: 0 },
        max_length: { type: "integer", minimum: 1 },
        truncate: { enum: ["prompt_first", "left", "right"] },
        sampled: { const: true, description: "counted on the first examples of the training set" },
      },
    },
    parameters: { type: "integer", minimum: 0, description: "trainable parameters of the network" },
    tokens: { type: "number", minimum: 0, description: "tokens processed, forward or backward" },
    steps: { type: "integer", minimum: 0 },
    flops: { type: "number", minimum: 0, description: "6·N·T + attention" },
    memory_bytes: { type: "number", minimum: 0, description: "peak: weights + gradients + Adam moments + activations" },
    time_s: { type: "number", minimum: 0, description: "on `backend`; machine-dependent, never in goldens" },
    backend: { type: "string" },
  },
};

const node = {
  type: "object",
  additionalProperties: false,
  required: ["id", "kind", "op", "params", "inputs", "files", "hash", "estimates"],
  properties: {
    id: { type: "string", minLength: 1 },
    kind: { enum: ["tokenizer", "model", "data", "stage", "eval"] },
    op: { type: "string", minLength: 1 },
    params: { type: "object", additionalProperties: json, description: "resolved; references are {\"$ref\": node id}, paths {\"$file\"|\"$dir\": path relative to the recipe}" },
    inputs: { type: "array", items: { type: "string" }, uniqueItems: true },
    files: {
      type: "array",
      items: { type: "object", additionalProperties: false, required: ["path", "sha256"], properties: { path: { type: "string" }, sha256 } },
    },
    hash: sha256,
    estimates,
    block: { type: "string" },
  },
};

export const PLAN_SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://alignc.dev/schema/plan-1.json",
  title: "alignc plan",
  description: "A content-hashed DAG of data and training stages compiled from a .align recipe",
  type: "object",
  additionalProperties: false,
  required: ["version", "recipe", "engine", "nodes"],
  properties: {
    version: { const: 1 },
    recipe: {
      type: "object",
      additionalProperties: false,
      required: ["name", "file", "seed"],
      properties: {
        name: { type: "string" },
        file: { type: "string" },
        seed: { type: "integer" },
        description: { type: "string" },
        variant: { type: "string" },
        bindings: { type: "object", additionalProperties: json },
        expect: { type: "array", items: { type: "string" } },
        tiny: { const: true },
      },
    },
    engine: {
      type: "object",
      additionalProperties: false,
      required: ["alignc", "epoch"],
      properties: { alignc: { type: "string" }, epoch: { type: "integer", minimum: 0 } },
    },
    nodes: { type: "array", items: node },
    variants: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "bindings", "nodes"],
        properties: {
          name: { type: "string" },
          bindings: { type: "object", additionalProperties: json },
          nodes: { type: "array", items: { type: "string" } },
        },
      },
    },
  },
} as const;

export const DIFF_SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://alignc.dev/schema/plan-diff-1.json",
  title: "alignc plan diff",
  type: "object",
  additionalProperties: false,
  required: ["a", "b", "equal", "entries", "gates", "rerun", "reused"],
  properties: {
    a: { type: "string" },
    b: { type: "string" },
    equal: { type: "boolean" },
    gates: {
      type: "array",
      description: "expect lines only in A (-) or only in B (+)",
      items: { type: "object", additionalProperties: false, required: ["action", "text"], properties: { action: { enum: ["+", "-"] }, text: { type: "string" } } },
    },
    entries: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["action", "id", "kind", "op"],
        properties: {
          action: { enum: ["+", "-", "~", "="] },
          id: { type: "string" },
          from: { type: "string", description: "A's id when the node was renamed" },
          kind: { type: "string" },
          op: { type: "string" },
          hash: sha256,
          old_hash: sha256,
          changes: {
            type: "array",
            items: {
              type: "object",
              additionalProperties: false,
              required: ["path"],
              properties: { path: { type: "string" }, old: json, new: json },
            },
          },
          because: { type: "array", items: { type: "string" }, description: "changed inputs that force a re-run" },
        },
      },
    },
    rerun: { type: "array", items: { type: "string" } },
    reused: { type: "array", items: { type: "string" } },
    metrics: {
      type: "object",
      description: "present when A and B are run directories: their final metrics side by side",
      required: ["a", "b", "rows"],
      properties: {
        a: { type: "object" },
        b: { type: "object" },
        rows: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["node", "metric", "a", "b", "delta"],
            properties: {
              node: { type: "string" },
              metric: { type: "string" },
              a: { type: ["number", "null"] },
              b: { type: ["number", "null"] },
              delta: { type: ["number", "null"] },
            },
          },
        },
        unpaired: { type: "array", items: { type: "string" }, description: "why answers could not be paired (a damaged samples.jsonl)" },
        paired: {
          type: "array",
          description: "each rule-judged win-rate eval of both runs: its model's answers paired prompt by prompt, right by the rule or not",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["eval", "model_a", "model_b", "only_a", "only_b", "both", "neither", "unmatched", "p_value"],
            properties: {
              eval: { type: "string" },
              model_a: { type: "string" },
              model_b: { type: "string" },
              only_a: { type: "integer", description: "prompts answered right in run A only" },
              only_b: { type: "integer", description: "prompts answered right in run B only" },
              both: { type: "integer" },
              neither: { type: "integer" },
              unmatched: { type: "integer", description: "prompts judged in one run only" },
              p_value: { type: "number", description: "sign test of only_a against only_b" },
            },
          },
        },
      },
    },
  },
} as const;

export const SCHEMAS: Record<string, object> = { plan: PLAN_SCHEMA, diff: DIFF_SCHEMA };
