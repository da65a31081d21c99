// SPDX-License-Identifier: MIT
/**
 * `createPaidFetch`: a `fetch` that pays a Lineage node through a payment channel (PROTOCOL.md, "Serving: payment and
 * metering"). Every request carries the channel's latest voucher (`X-Lineage-Voucher`, signed here by the session key,
 * which never leaves this object) covering what the client verified so far, and the most it pays per 1,000 tokens
 * (`X-Lineage-Max-Price`). Every response's receipt (`lineage_receipt` on the JSON body, or on the final SSE chunk,
 * the one with `usage`) is checked: the node's signature, `seq` strictly increasing, the exact price from the token
 * counts and the model's on-chain price, the token counts against `usage`, and `requestHash` against the exchange.
 * A node that breaks a rule is reported (`onViolation`, a {@link MeteringViolationError}) and never paid again.
 * On a 402 the client re-syncs from the receipts the node returns (each verified the same way) and retries once.
 * Requests on one channel run one at a time (the node's default credit is one request in flight per channel).
 */
import type { Address } from "viem";
import { z } from "zod";
import { signVoucher, type SignedVoucher, type TypedDataSigner } from "../payout/index.ts";
import { readChannel, readPrice, type ChainReader, type ChannelInfo } from "./channel.ts";
import { MeteringViolationError, NodeStoppedError } from "./errors.ts";
import { accept, checkReceipt, checkReceiptRun, type MeterState } from "./meter.ts";
import { observeSse } from "./sse.ts";
import {
  encodeVoucherHeader,
  MAX_PRICE_HEADER,
  paymentRequiredSchema,
  RECEIPT_FIELD,
  receiptFromWire,
  requestHash,
  VOUCHER_HEADER,
  WireError,
  type ServedReceipt,
} from "./wire.ts";

export interface PaidFetchOptions {
  /** The channel paid from. */
  channelId: bigint;
  /** The channel's `signer`: a key that lives only in this client (e.g. `privateKeyToAccount(generatePrivateKey())`). */
  sessionKey: TypedDataSigner;
  /** The most this client pays per 1,000 tokens (OPEN wei), sent as `X-Lineage-Max-Price`. */
  maxPricePer1k: bigint;
  /** Reads the channel and the model's price. */
  publicClient: ChainReader;
  /** The PaymentChannels contract (the vouchers' and receipts' EIP-712 domain). */
  paymentChannels: Address;
  /** What was verified before (persisted by `onReceipt`); default: nothing (a fresh client re-syncs on a 402). */
  state?: MeterState;
  /** Called after each verified receipt with the new state (persist it here). */
  onReceipt?: (receipt: ServedReceipt, state: MeterState) => void | Promise<void>;
  /** Called once when the node breaks a metering rule; the client stops paying it. */
  onViolation?: (violation: MeteringViolationError) => void;
  /** The underlying fetch (default: the global one). */
  fetch?: typeof fetch;
}

/** A paying fetch and what it knows about its channel. */
export interface PaidChannel {
  fetch: typeof fetch;
  /** The verified state: last `seq` and the amount the latest voucher pays. */
  state(): MeterState;
  /** Every receipt verified by this client, in order. */
  receipts(): readonly ServedReceipt[];
  /** The violation that stopped payments, if any. */
  violation(): MeteringViolationError | undefined;
  /** The channel as read from the chain (read once, on first use). */
  channel(): Promise<ChannelInfo>;
  /**
   * The voucher for everything verified so far (pay after: the node holds the one before the last response). Hand it
   * to the node, or redeem it, when done with the channel.
   */
  voucher(): Promise<SignedVoucher>;
}

/** Paths whose responses carry a receipt. */
const PAID_PATH = /\/v1\/(chat\/)?completions\/?$/;

const usageSchema = z.object({ prompt_tokens: z.number().int().nonnegative(), completion_tokens: z.number().int().nonnegative() }).loose();
const bodySchema = z
  .object({
    stream: z.boolean().optional(),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullish(),
  })
  .loose();
type RequestBody = z.infer<typeof bodySchema>;

/** The output text of one JSON completion (chat or text), choice 0. */
function textOfCompletion(json: unknown): string {
  const c = (json as { choices?: { message?: { content?: unknown }; text?: unknown }[] } | undefined)?.choices?.[0];
  const t = c?.message?.content ?? c?.text;
  return typeof t === "string" ? t : "";
}

/** The text delta of one streamed chunk (chat or text), choice 0. */
function deltaOfChunk(json: unknown): string {
  const c = (json as { choices?: { delta?: { content?: unknown }; text?: unknown; index?: number }[] } | undefined)?.choices?.find(
    (x) => (x.index ?? 0) === 0,
  );
  const t = c?.delta?.content ?? c?.text;
  return typeof t === "string" ? t : "";
}

/** A small FIFO lock: requests on one channel run one at a time. */
function createLock() {
  let tail: Promise<void> = Promise.resolve();
  return async (): Promise<() => void> => {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const prev = tail;
    tail = prev.then(() => next);
    await prev;
    let done = false;
    return () => {
      if (!done) {
        done = true;
        release();
      }
    };
  };
}

export function createPaidFetch(opts: PaidFetchOptions): PaidChannel {
  if (opts.maxPricePer1k < 0n) throw new RangeError("maxPricePer1k must be non-negative");
  const baseFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  let state: MeterState = opts.state ?? { lastSeq: 0n, acked: 0n };
  const verified: ServedReceipt[] = [];
  let stopped: MeteringViolationError | undefined;
  let info: Promise<ChannelInfo> | undefined;
  const prices: bigint[] = [];
  const lock = createLock();

  const channel = () => {
    info ??= readChannel(opts.publicClient, opts.paymentChannels, opts.channelId, opts.sessionKey.address).catch((e: unknown) => {
      info = undefined;
      throw e;
    });
    return info;
  };
  /** Prices a receipt may use: the last known, then the current on-chain one (the model may have been repriced). */
  const knownPrices = async (refresh: boolean): Promise<bigint[]> => {
    if (prices.length === 0 || refresh) {
      const ch = await channel();
      const p = await readPrice(opts.publicClient, ch.modelRegistry, ch.modelId);
      if (!prices.includes(p)) prices.push(p);
      if (prices.length > 2) prices.shift();
    }
    return prices;
  };

  const violate = (e: MeteringViolationError): never => {
    if (!stopped) {
      stopped = e;
      opts.onViolation?.(e);
    }
    throw e;
  };
  const wrapViolation = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      if (e instanceof MeteringViolationError) violate(e);
      throw e;
    }
  };

  /** Checks a receipt (retrying once with a refreshed price), then records it. */
  const verifyAndAccept = async (r: ServedReceipt, extra: (r: ServedReceipt) => void) =>
    wrapViolation(async () => {
      const ch = await channel();
      extra(r);
      try {
        await checkReceipt(ch, state, r, await knownPrices(false));
      } catch (e) {
        if (!(e instanceof MeteringViolationError && e.kind === "over-metered")) throw e;
        await checkReceipt(ch, state, r, await knownPrices(true));
      }
      state = accept(r);
      verified.push(r);
      await opts.onReceipt?.(r, state);
    });

  /** The checks a receipt of a response the client saw in full must also pass. */
  const exchangeChecks = (sent: RequestBody, text: string, usage: unknown) => (r: ServedReceipt) => {
    const fail = (kind: MeteringViolationError["kind"], msg: string) => {
      throw new MeteringViolationError(kind, opts.channelId, msg, r);
    };
    const u = usageSchema.safeParse(usage);
    if (!u.success) fail("usage-mismatch", "the response carries a receipt but no usage");
    else if (u.data.prompt_tokens !== r.tokensIn || u.data.completion_tokens !== r.tokensOut) {
      fail("usage-mismatch", `receipt ${r.tokensIn}+${r.tokensOut} tokens, usage ${u.data.prompt_tokens}+${u.data.completion_tokens}`);
    }
    const cap = sent.max_completion_tokens ?? sent.max_tokens;
    if (cap != null && r.tokensOut > cap) fail("usage-mismatch", `receipt ${r.tokensOut} output tokens above max_tokens ${cap}`);
    if (requestHash(sent, text) !== r.requestHash) fail("request-hash-mismatch", "requestHash does not commit to this exchange");
  };

  const parseReceipt = (value: unknown): ServedReceipt | undefined => {
    if (value === undefined || value === null) return undefined;
    try {
      return receiptFromWire(value);
    } catch (e) {
      if (e instanceof WireError) {
        return violate(new MeteringViolationError("bad-signature", opts.channelId, `malformed receipt: ${e.message}`));
      }
      throw e;
    }
  };

  /** A 402: verify the receipts the node returned; true when the client now owes more (retry with a new voucher). */
  const resync = async (res: Response): Promise<{ retry: boolean; body: string }> => {
    const body = await res.text();
    let parsed;
    try {
      parsed = paymentRequiredSchema.safeParse(JSON.parse(body));
    } catch {
      return { retry: false, body };
    }
    if (!parsed.success) return { retry: false, body };
    const e = parsed.data.error;
    const metered = BigInt(e.metered);
    if (metered <= state.acked) return { retry: false, body };
    const receipts = e.receipts.map((w) => receiptFromWire(w));
    await wrapViolation(async () => {
      const ch = await channel();
      let next: MeterState;
      try {
        next = await checkReceiptRun(ch, state, receipts, metered, await knownPrices(false));
      } catch (err) {
        if (!(err instanceof MeteringViolationError && err.kind === "over-metered")) throw err;
        next = await checkReceiptRun(ch, state, receipts, metered, await knownPrices(true));
      }
      for (const r of receipts) if (r.seq > state.lastSeq) verified.push(r);
      state = next;
      const last = receipts.at(-1);
      if (last) await opts.onReceipt?.(last, state);
    });
    return { retry: true, body };
  };

  const headersFor = async (init: RequestInit | undefined): Promise<Headers> => {
    const ch = await channel();
    const voucher = await signVoucher(opts.sessionKey, { channelId: opts.channelId, cumulativeAmount: state.acked }, ch.target);
    const h = new Headers(init?.headers);
    h.set(VOUCHER_HEADER, encodeVoucherHeader(voucher));
    h.set(MAX_PRICE_HEADER, opts.maxPricePer1k.toString());
    // The openai client's apiKey is a placeholder: never forward it as a credential.
    h.delete("authorization");
    return h;
  };

  const paidFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (stopped) throw new NodeStoppedError(stopped);
    const url = input instanceof Request ? input.url : input.toString();
    let bodyText: string | undefined;
    if (input instanceof Request) {
      init = { method: input.method, headers: input.headers, body: await input.text(), signal: input.signal, ...init };
    }
    if (typeof init?.body === "string") bodyText = init.body;
    const paid = PAID_PATH.test(new URL(url).pathname) && (init?.method ?? "GET").toUpperCase() === "POST";
    if (!paid) {
      // Free routes (`/v1/models`, the feed, transcripts): no voucher, and never the placeholder key as a credential.
      const h = new Headers(init?.headers);
      h.delete("authorization");
      return baseFetch(url, { ...init, headers: h });
    }
    let sent: RequestBody = {};
    if (paid && bodyText !== undefined) {
      let json: unknown;
      try {
        json = JSON.parse(bodyText);
      } catch {
        json = undefined;
      }
      const parsedBody = bodySchema.safeParse(json);
      if (parsedBody.success) {
        sent = parsedBody.data;
        // The receipt rides on the final chunk, the one carrying usage: ask for it.
        if (sent.stream && sent.stream_options?.include_usage !== true) {
          sent = { ...sent, stream_options: { ...sent.stream_options, include_usage: true } };
          bodyText = JSON.stringify(sent);
        }
      }
    }
    const release = await lock();
    let handedOff = false;
    try {
      if (stopped) throw new NodeStoppedError(stopped);
      let res: Response | undefined;
      for (let attempt = 0; attempt < 2; attempt++) {
        res = await baseFetch(url, { ...init, body: bodyText ?? init?.body, headers: await headersFor(init) });
        if (res.status !== 402 || !paid) break;
        const { retry, body } = await resync(res);
        res = new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
        if (!retry) break;
      }
      if (!res || !paid || !res.ok) return res!;
      if ((res.headers.get("content-type") ?? "").includes("text/event-stream") && res.body) {
        let text = "";
        let usage: unknown;
        let receiptValue: unknown;
        const observed = observeSse(res.body, {
          onData: (data) => {
            if (data === "[DONE]") return;
            let chunk: Record<string, unknown>;
            try {
              chunk = JSON.parse(data) as Record<string, unknown>;
            } catch {
              return;
            }
            text += deltaOfChunk(chunk);
            if (chunk.usage != null) usage = chunk.usage;
            if (chunk[RECEIPT_FIELD] != null) receiptValue = chunk[RECEIPT_FIELD];
          },
          onEnd: async () => {
            const r = parseReceipt(receiptValue);
            if (r) await verifyAndAccept(r, exchangeChecks(sent, text, usage));
          },
          onClose: release,
        });
        handedOff = true;
        return new Response(observed, { status: res.status, statusText: res.statusText, headers: res.headers });
      }
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
      }
      const r = parseReceipt((json as Record<string, unknown>)[RECEIPT_FIELD]);
      if (r) await verifyAndAccept(r, exchangeChecks(sent, textOfCompletion(json), (json as { usage?: unknown }).usage));
      return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
    } finally {
      if (!handedOff) release();
    }
  };

  return {
    fetch: paidFetch as typeof fetch,
    state: () => ({ ...state }),
    receipts: () => [...verified],
    violation: () => stopped,
    channel,
    voucher: async () => signVoucher(opts.sessionKey, { channelId: opts.channelId, cumulativeAmount: state.acked }, (await channel()).target),
  };
}
