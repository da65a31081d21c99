// SPDX-License-Identifier: MIT
/**
 * Incremental detokenisation with stop strings: emits text as tokens arrive, holding back an incomplete UTF-8
 * character and any tail that could still become a stop string.
 */
import type { LlamaCppModel } from "../../llamacpp/index.ts";

type LlamaModel = LlamaCppModel["model"];
type Token = Parameters<LlamaModel["detokenize"]>[0][number];

export class TextStream {
  private pending: Token[] = [];
  private text = "";
  private emitted = 0;
  private stopped = false;
  private readonly holdBack: number;

  constructor(
    private readonly model: Pick<LlamaModel, "detokenize">,
    private readonly stop: readonly string[],
    private readonly onText?: (text: string) => void,
  ) {
    this.holdBack = stop.reduce((m, s) => Math.max(m, s.length - 1), 0);
  }

  /** Adds a token; returns true when a stop string was reached (the text ends before it). */
  push(token: Token): boolean {
    if (this.stopped) return true;
    this.pending.push(token);
    const piece = this.model.detokenize(this.pending);
    if (piece.endsWith("\uFFFD") && this.pending.length < 4) return false; // an incomplete UTF-8 character
    this.pending = [];
    this.text += piece;
    for (const s of this.stop) {
      const at = s.length > 0 ? this.text.indexOf(s, Math.max(0, this.emitted - s.length)) : -1;
      if (at >= 0) {
        this.text = this.text.slice(0, at);
        this.stopped = true;
        this.flush(this.text.length);
        return true;
      }
    }
    this.flush(this.text.length - this.holdBack);
    return false;
  }

  private flush(upTo: number): void {
    if (upTo > this.emitted) {
      const piece = this.text.slice(this.emitted, upTo);
      this.emitted = upTo;
      this.onText?.(piece);
    }
  }

  /** Ends the stream; `complete` emits what was held back. Returns the whole text sent. */
  finish(complete: boolean): string {
    if (!this.stopped && this.pending.length > 0) {
      this.text += this.model.detokenize(this.pending);
      this.pending = [];
    }
    if (complete) this.flush(this.text.length);
    return this.text.slice(0, this.emitted);
  }
}
