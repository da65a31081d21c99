// SPDX-License-Identifier: MIT
/**
 * OpenLoRA serving (issue 21): `lineage serve`. One base model, thousands of LoRA adapters, an OpenAI-compatible API,
 * paid by voucher and metered by signed receipts (PROTOCOL.md, "Serving: payment and metering").
 */
export { startServe, type ServeHandle, type ServeOptions, type ServeChainOptions } from "./server.ts";
export { createApp, DEFAULT_LIMITS, type ServeLimits } from "./http/app.ts";
export { LocalEngine, type LocalEngineOptions } from "./engine/local.ts";
export { RemoteEngine, type RemoteEngineOptions } from "./engine/remote.ts";
export type { AdapterUse, Engine, EngineStats, GenerateRequest, GenerateResult } from "./engine/types.ts";
export { renderChat, type ChatMessage } from "./engine/chat.ts";
export { FileJournal, JournalError, JOURNAL_FILE } from "./journal/journal.ts";
export type { JournalEntry, ReceiptLog } from "./journal/types.ts";
export { PaymentGate, PaymentRequiredError, type Admission, type PaidModel } from "./payment/gate.ts";
export { ChannelCache, type ChannelState } from "./payment/channels.ts";
export { ChainRegistry } from "./registry/chain.ts";
export { LocalRegistry } from "./registry/local.ts";
export type { ModelSource, ServedModel } from "./registry/types.ts";
export { checkNodeStaking, type StakingStatus } from "./staking.ts";
export { ServeError } from "./errors.ts";
