// SPDX-License-Identifier: MIT
/**
 * Chat/instruction templates for prompt/response records (JSONL), and their tokenisation with a loss mask on the
 * response only. Records may use {prompt, response}, {instruction, input?, output} or {question, answer}.
 */
import { z } from "zod";
import type { TokenizedExample } from "../train/data.ts";
import type { ByteBpeTokenizer } from "../tokenizer/index.ts";

export interface PromptRecord {
  prompt: string;
  response: string;
  system?: string;
}

const RecordSchema = z.union([
  z.object({ prompt: z.string().min(1), response: z.string(), system: z.string().optional() }),
  z.object({ instruction: z.string().min(1), input: z.string().optional(), output: z.string(), system: z.string().optional() }),
  z.object({ question: z.string().min(1), answer: z.string(), system: z.string().optional() }),
]);

export class TemplateError extends Error {
  constructor(message: string) {
    super(`templates: ${message}`);
    this.name = "TemplateError";
  }
}

/** Normalise one record of any accepted shape; throws TemplateError on anything else. */
/** The accepted record shapes: a key that names the shape, and the fields it needs. */
const SHAPES = [
  { key: "prompt", needs: ["prompt", "response"], name: "{prompt, response}" },
  { key: "instruction", needs: ["instruction", "output"], name: "{instruction, input?, output}" },
  { key: "question", needs: ["question", "answer"], name: "{question, answer}" },
] as const;

/** Why a record is not one of the accepted shapes, naming the missing or mistyped field when the shape is clear. */
function recordProblem(raw: unknown): string {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return "expected a JSON object";
  const o = raw as Record<string, unknown>;
  const shape = SHAPES.find((s) => s.needs.some((f) => f in o));
  if (!shape) return `expected {prompt,response}, {instruction,input?,output} or {question,answer}; found fields ${Object.keys(o).map((k) => `"${k}"`).join(", ") || "none"}`;
  for (const f of shape.needs) {
    if (!(f in o)) return `field "${f}" is missing (a ${shape.name} record)`;
    if (typeof o[f] !== "string") return `field "${f}" must be a string, got ${o[f] === null ? "null" : typeof o[f]}`;
    if (f === shape.key && (o[f] as string).length === 0) return `field "${f}" is empty`;
  }
  for (const f of ["system", "input"]) if (f in o && typeof o[f] !== "string") return `field "${f}" must be a string`;
  const extra = Object.keys(o).filter((k) => !["system", "input", ...shape.needs].includes(k));
  return extra.length ? `unexpected field "${extra[0]}" in a ${shape.name} record` : `not a ${shape.name} record`;
}

export function toPromptRecord(raw: unknown, where = "record"): PromptRecord {
  const r = RecordSchema.safeParse(raw);
  if (!r.success) throw new TemplateError(`${where}: ${recordProblem(raw)}`);
  const v = r.data as Record<string, string | undefined>;
  const sys = v.system !== undefined ? { system: v.system } : {};
  if ("prompt" in v) return { prompt: v.prompt!, response: v.response!, ...sys };
  if ("instruction" in v) return { prompt: v.input ? `${v.instruction}\n\n${v.input}` : v.instruction!, response: v.output!, ...sys };
  return { prompt: v.question!, response: v.answer!, ...sys };
}

/** The parsed JSON value of every non-blank JSONL line with its 1-based line number; invalid JSON throws `fail(message)`. */
export function jsonlValues(text: string, fail: (message: string) => Error = (m) => new TemplateError(m)): { raw: unknown; line: number }[] {
  const out: { raw: unknown; line: number }[] = [];
  text.split("\n").forEach((text, i) => {
    if (!text.trim()) return;
    try {
      out.push({ raw: JSON.parse(text), line: i + 1 });
    } catch {
      throw fail(`line ${i + 1}: invalid JSON`);
    }
  });
  return out;
}

/** Parse JSONL text into records (blank lines skipped); errors name the line. */
export function parseJsonl(text: string): PromptRecord[] {
  return jsonlValues(text).map(({ raw, line }) => toPromptRecord(raw, `line ${line}`));
}

export interface ChatTemplate {
  name: string;
  /** The text before the response (the model is prompted with this). */
  prompt(r: Pick<PromptRecord, "prompt" | "system">): string;
  /** The response text as trained (eos is appended as a token, not text). */
  response(r: Pick<PromptRecord, "response">): string;
  /**
   * The same template in Jinja, as written to a GGUF's `tokenizer.chat_template` (llama.cpp and node-llama-cpp
   * render it with `messages`, `bos_token`, `eos_token`, `add_generation_prompt`): a system message, one user turn
   * and the generation prompt render exactly as `prompt()`, preceded by bos.
   */
  jinja: string;
}

export const TEMPLATES: Record<string, ChatTemplate> = {
  /**
   * Compact plain-text Q/A, the default for the tiny base. Every boundary between template text and a message is a
   * newline, where the byte-level pre-tokenizer always splits: a chat client that tokenises the template's pieces
   * and the messages separately (node-llama-cpp) gets the same tokens as one that tokenises the rendered whole
   * (llama.cpp) and as training. The answer follows "Answer:" with its leading space, as generated.
   */
  lineage: {
    name: "lineage",
    prompt: (r) => `${r.system ? `${r.system}\n` : ""}Question:\n${r.prompt}\nAnswer:`,
    response: (r) => ` ${r.response}`,
    jinja:
      "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'system' %}{{ message['content'] }}\n" +
      "{% elif message['role'] == 'user' %}Question:\n{{ message['content'] }}\n" +
      "{% elif message['role'] == 'assistant' %}Answer:{{ message['content'] }}{{ eos_token }}{% endif %}{% endfor %}" +
      "{% if add_generation_prompt %}Answer:{% endif %}",
  },
  /** Alpaca-style instruction format. */
  alpaca: {
    name: "alpaca",
    prompt: (r) => `${r.system ?? "Below is an instruction that describes a task. Write a response that appropriately completes the request."}\n\n### Instruction:\n${r.prompt}\n\n### Response:\n`,
    response: (r) => r.response,
    jinja:
      "{{ bos_token }}{% set ns = namespace(system='Below is an instruction that describes a task. Write a response that appropriately completes the request.') %}" +
      "{% for message in messages %}{% if message['role'] == 'system' %}{% set ns.system = message['content'] %}{% endif %}{% endfor %}{{ ns.system }}\n\n" +
      "{% for message in messages %}{% if message['role'] == 'user' %}### Instruction:\n{{ message['content'] }}\n\n" +
      "{% elif message['role'] == 'assistant' %}### Response:\n{{ message['content'] }}{{ eos_token }}{% endif %}{% endfor %}" +
      "{% if add_generation_prompt %}### Response:\n{% endif %}",
  },
  /** ChatML-style turns (markers are plain text for the byte-level tokenizer). */
  chatml: {
    name: "chatml",
    prompt: (r) => `${r.system ? `<|im_start|>system\n${r.system}<|im_end|>\n` : ""}<|im_start|>user\n${r.prompt}<|im_end|>\n<|im_start|>assistant\n`,
    response: (r) => `${r.response}<|im_end|>`,
    jinja:
      "{{ bos_token }}{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] }}" +
      "{% if message['role'] == 'assistant' %}{{ '<|im_end|>' + eos_token }}{% else %}{{ '<|im_end|>\\n' }}{% endif %}{% endfor %}" +
      "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
  },
};

export function getTemplate(name: string): ChatTemplate {
  const t = TEMPLATES[name];
  if (!t) throw new TemplateError(`unknown template "${name}" (have ${Object.keys(TEMPLATES).join(", ")})`);
  return t;
}

/** bos + prompt (not trained on) + response + eos (trained on); truncated to maxLen tokens. */
export function tokenizeRecord(tok: ByteBpeTokenizer, template: ChatTemplate, r: PromptRecord, maxLen: number): TokenizedExample {
  const p = tok.encode(template.prompt(r), { bos: true });
  const a = tok.encode(template.response(r), { eos: true });
  const ids = [...p, ...a].slice(0, maxLen);
  const lossMask = [...p.map(() => 0), ...a.map(() => 1)].slice(0, maxLen);
  return { ids, lossMask };
}

/** The prompt tokens used at inference (bos + prompt text). */
export function promptTokens(tok: ByteBpeTokenizer, template: ChatTemplate, r: Pick<PromptRecord, "prompt" | "system">): number[] {
  return tok.encode(template.prompt(r), { bos: true });
}
