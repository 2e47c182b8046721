// Chat-message lists as published data sets write them, read into alignc's one-turn prompt/response:
//   - TRL's conversational formats: `{role, content}` messages in `prompt`, `completion`, `chosen`,
//     `rejected` or `messages` (huggingface.co/docs/trl/dataset_formats);
//   - ShareGPT / FastChat's `conversations: [{from: "human" | "gpt", value}]` (lm-sys/FastChat
//     data/dummy_conversation.json);
//   - UltraFeedback-binarized's `chosen`/`rejected`, which repeat the user turn before the answer.
// alignc's chat formats hold one user turn, so earlier turns are written into the prompt as OASST's
// conversations are (rankings.ts): the first message bare, later ones `User: …` / `Assistant: …`.
// Where the prompt is implicit in `chosen`/`rejected`, it is their shared leading messages, as TRL's
// `extract_prompt` takes it (trl/data_utils.py), so the user turn never ends up inside a response.

export type Role = "system" | "user" | "assistant";
export interface Message {
  role: Role;
  content: string;
}

/** The role names published files use: TRL's (OpenAI's), ShareGPT's `human`/`gpt`, OASST's `prompter`. */
const ROLES: Record<string, Role> = { system: "system", user: "user", human: "user", prompter: "user", assistant: "assistant", gpt: "assistant", bot: "assistant", model: "assistant" };
const LABEL: Record<Role, string> = { system: "System", user: "User", assistant: "Assistant" };

/** Whether a field value is a message list (TRL's `is_conversational` test, with ShareGPT's keys too). */
export function isMessageList(v: unknown): v is unknown[] {
  if (!Array.isArray(v) || v.length === 0) return false;
  const m = v[0] as Record<string, unknown> | null;
  return m !== null && typeof m === "object" && !Array.isArray(m) && (("role" in m && "content" in m) || ("from" in m && "value" in m));
}

/** A field's messages; an Error naming the first bad one (`chosen[1].role …`). */
export function parseMessages(v: unknown, field: string): Message[] {
  if (!Array.isArray(v)) throw new Error(`\`${field}\` must be a list of messages {role, content}`);
  return v.map((m, i) => {
    if (m === null || typeof m !== "object" || Array.isArray(m)) throw new Error(`\`${field}[${i}]\` must be a message {role, content}`);
    const o = m as Record<string, unknown>;
    const sharegpt = !("role" in o) && "from" in o;
    const [rk, ck] = sharegpt ? ["from", "value"] : ["role", "content"];
    const role = typeof o[rk] === "string" ? ROLES[o[rk] as string] : undefined;
    if (role === undefined) throw new Error(`\`${field}[${i}].${rk}\` must be one of ${Object.keys(ROLES).map((r) => `"${r}"`).join(", ")}, got ${JSON.stringify(o[rk]) ?? "nothing"}`);
    const content = o[ck];
    // multimodal content parts ([{type: "text", text}]) are not text alignc can train on
    if (typeof content !== "string") throw new Error(`\`${field}[${i}].${ck}\` must be a string, got ${content === undefined ? "nothing" : Array.isArray(content) ? "a list (multimodal parts?)" : typeof content}`);
    return { role, content };
  });
}

/** Leading system messages taken out (the example's `system`), the rest kept. */
function takeSystem(ms: readonly Message[]): { system?: string; rest: Message[] } {
  let n = 0;
  while (n < ms.length && ms[n]!.role === "system") n++;
  return n === 0 ? { rest: [...ms] } : { system: ms.slice(0, n).map((m) => m.content).join("\n\n"), rest: ms.slice(n) };
}

/** Turns as one text: the first bare, later ones labelled by role (OASST's prompts, rankings.ts). */
export function turnsText(ms: readonly Message[]): string {
  return ms.map((m, i) => (i === 0 ? m.content : `${LABEL[m.role]}: ${m.content}`)).join("\n\n");
}

/** A prompt's messages: its leading system messages apart, the rest as text. */
export function promptOfMessages(ms: readonly Message[], field: string): { system?: string; prompt: string } {
  const { system, rest } = takeSystem(ms);
  if (rest.length === 0) throw new Error(`\`${field}\` holds no user turn`);
  // a prompt is what a user asked: one that starts with an assistant turn (a pair's shared turns beginning
  // with the answer) would train the model on a conversation the user never opened (reviewR42 M2)
  if (rest[0]!.role !== "user") throw new Error(`\`${field}\`'s prompt starts with a${rest[0]!.role === "assistant" ? "n" : ""} ${rest[0]!.role} turn: a prompt starts with a user turn (after any system message)`);
  return { ...(system !== undefined ? { system } : {}), prompt: turnsText(rest) };
}

/** A response's messages: they start with an assistant turn; further turns stay in it, labelled (as
 * hh-rlhf's responses keep theirs). A user turn first would train the model to speak for the user. */
export function responseOfMessages(ms: readonly Message[], field: string, offset = 0): string {
  if (ms.length === 0) throw new Error(`\`${field}\` holds no assistant turn after the prompt`);
  if (ms[0]!.role !== "assistant") throw new Error(`\`${field}[${offset}]\` is a ${ms[0]!.role} turn where the response starts: a response starts with an assistant turn`);
  return turnsText(ms);
}

/** A conversation (`messages`, `conversations`) as demonstrations, one per assistant turn: its response
 * that turn, its prompt every turn before it (alignc trains on one response per example, so each of a
 * conversation's answers is trained on in an example of its own, as FastChat and TRL train on each). */
export function conversationTurns(ms: readonly Message[], field: string): { system?: string; prompt: string; response: string }[] {
  const last = ms.length - 1;
  if (!ms.some((m) => m.role === "assistant")) throw new Error(`\`${field}\` holds no assistant turn`);
  if (ms[last]!.role !== "assistant") throw new Error(`\`${field}\` ends with a ${ms[last]!.role} turn after its last assistant turn: nothing answers it`);
  const out: { system?: string; prompt: string; response: string }[] = [];
  ms.forEach((m, k) => {
    if (m.role === "assistant") out.push({ ...promptOfMessages(ms.slice(0, k), field), response: m.content });
  });
  return out;
}

const same = (a: Message, b: Message) => a.role === b.role && a.content === b.content;

/**
 * A preference row's message lists → prompt and the two responses. `prompt` is the row's own prompt
 * messages (TRL's explicit conversational prompt) or null. Without it, or where `chosen` and
 * `rejected` repeat the conversation before the answer (UltraFeedback-binarized writes the user turn
 * into both, beside a string `prompt`), the shared leading messages are the prompt (TRL's extract_prompt).
 */
export function splitPreference(chosen: readonly Message[], rejected: readonly Message[], prompt: readonly Message[] | null, names: { chosen: string; rejected: string }): { system?: string; prompt: string | null; userTurns: string[]; chosen: string; rejected: string } {
  let shared = 0;
  while (shared < chosen.length && shared < rejected.length && same(chosen[shared]!, rejected[shared]!)) shared++;
  // one conversation twice: its last answer is both responses, a tie that the reader leaves out
  // (two copies of one text ranked apart), not a row without answers
  if (shared === chosen.length && shared === rejected.length) while (shared > 0 && chosen[shared - 1]!.role !== "user") shared--;
  // an explicit prompt whose messages the responses do not repeat: the lists are the responses as they are
  const repeats = prompt !== null && prompt.length <= shared && prompt.every((m, i) => same(m, chosen[i]!));
  const cut = prompt !== null && !repeats ? 0 : shared;
  // the shared messages end where the answers start: one that ends on an assistant turn leaves the
  // responses starting with a user turn, reported by responseOfMessages
  const head = prompt !== null && !repeats ? prompt : chosen.slice(0, cut);
  const p = head.length ? promptOfMessages(head, prompt !== null && !repeats ? "prompt" : names.chosen) : null;
  return { ...(p?.system !== undefined ? { system: p.system } : {}), prompt: p?.prompt ?? null, userTurns: head.filter((m) => m.role === "user").map((m) => m.content), chosen: responseOfMessages(chosen.slice(cut), names.chosen, cut), rejected: responseOfMessages(rejected.slice(cut), names.rejected, cut) };
}
