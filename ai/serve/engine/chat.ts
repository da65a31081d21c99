// SPDX-License-Identifier: MIT
/** Renders OpenAI chat messages to the prompt text of our models' "lineage" template (ai/templates). */
import { getTemplate } from "../../templates/index.ts";

export interface ChatMessage {
  role: "system" | "user" | "assistant" | "developer";
  content: string;
}

/** System lines first, earlier turns as Question/Answer pairs, then the last user turn prompted for an answer. */
export function renderChat(messages: readonly ChatMessage[]): string {
  const t = getTemplate("lineage");
  const system = messages.filter((m) => m.role === "system" || m.role === "developer").map((m) => m.content).join("\n");
  const turns = messages.filter((m) => m.role === "user" || m.role === "assistant");
  let out = system ? `${system}\n` : "";
  let pendingUser: string | undefined;
  for (const m of turns) {
    if (m.role === "user") {
      if (pendingUser !== undefined) out += `${t.prompt({ prompt: pendingUser })}\n`;
      pendingUser = m.content;
    } else {
      out += `${t.prompt({ prompt: pendingUser ?? "" })}${t.response({ response: m.content })}\n`;
      pendingUser = undefined;
    }
  }
  return out + t.prompt({ prompt: pendingUser ?? "" });
}
