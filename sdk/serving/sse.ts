// SPDX-License-Identifier: MIT
/**
 * Reads the `data:` events of a server-sent-events body while passing every byte through unchanged: the paying
 * client watches a streamed chat completion (the text and the final chunk carrying `usage` and the receipt) without
 * delaying what the `openai` client reads. `onEnd` runs before the stream closes; if it throws, the stream errors.
 * `onClose` runs exactly once however the stream ends (end, error, or the reader cancelling).
 */

export interface SseObserver {
  /** One `data:` payload (a JSON chunk, or `[DONE]`). */
  onData(data: string): void;
  /** The body ended normally; throw to turn the end into an error the reader sees. */
  onEnd(): Promise<void>;
  /** Runs once when the stream is finished for any reason. */
  onClose(): void;
}

/** Splits SSE text into events' joined `data:` payloads; returns the payloads and the unfinished rest. */
export function splitSse(buffer: string, final: boolean): { data: string[]; rest: string } {
  const data: string[] = [];
  let rest = buffer;
  const dispatch = (event: string) => {
    const lines = event
      .split(/\r?\n/)
      .filter((l) => l.startsWith("data:"))
      .map((l) => l.slice(5).replace(/^ /, ""));
    if (lines.length > 0) data.push(lines.join("\n"));
  };
  for (;;) {
    const m = /\r?\n\r?\n/.exec(rest);
    if (!m) break;
    dispatch(rest.slice(0, m.index));
    rest = rest.slice(m.index + m[0].length);
  }
  if (final && rest.trim() !== "") {
    dispatch(rest);
    rest = "";
  }
  return { data, rest };
}

/** Wraps `body` so that `observer` sees every SSE data payload. */
export function observeSse(body: ReadableStream<Uint8Array>, observer: SseObserver): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = "";
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    observer.onClose();
  };
  const feed = (text: string, final: boolean) => {
    const { data, rest } = splitSse(buffer + text, final);
    buffer = rest;
    for (const d of data) observer.onData(d);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          feed(decoder.decode(), true);
          await observer.onEnd();
          close();
          controller.close();
          return;
        }
        feed(decoder.decode(value, { stream: true }), false);
        controller.enqueue(value);
      } catch (e) {
        close();
        controller.error(e);
      }
    },
    async cancel(reason) {
      close();
      await reader.cancel(reason);
    },
  });
}
