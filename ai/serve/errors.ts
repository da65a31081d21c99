// SPDX-License-Identifier: MIT
/** Errors of the serving node, each mapped to an HTTP status and OpenAI's error shape. */
import type { OpenAiError } from "../../sdk/serving/index.ts";

export type ServeErrorType = "invalid_request_error" | "not_found_error" | "rate_limit_error" | "server_error" | "timeout_error";

/** An error answered to the client as `{error: {message, type, param, code}}` with `status`. */
export class ServeError extends Error {
  override name = "ServeError";
  constructor(
    readonly status: 400 | 402 | 404 | 408 | 413 | 429 | 499 | 500 | 502 | 503 | 504,
    message: string,
    readonly type: ServeErrorType,
    readonly code: string | null = null,
    readonly param: string | null = null,
    /** Seconds, for 429/503 (`Retry-After`). */
    readonly retryAfter?: number,
  ) {
    super(message);
  }

  body(): OpenAiError {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const badRequest = (message: string, param: string | null = null, code: string | null = null) => new ServeError(400, message, "invalid_request_error", code, param);
export const notFound = (message: string, code = "model_not_found", param: string | null = "model") => new ServeError(404, message, "not_found_error", code, param);
export const tooLarge = (message: string, param: string | null = null) => new ServeError(413, message, "invalid_request_error", "request_too_large", param);
export const overloaded = (message: string, retryAfter: number) => new ServeError(429, message, "rate_limit_error", "overloaded", null, retryAfter);
