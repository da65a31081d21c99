// SPDX-License-Identifier: MIT
/** `createLineageClient`: every action bound to one context (clients + deployment). */
import { approve, type ApproveParameters } from "./actions/approve.ts";
import { delegateVotes, type DelegateVotesParameters } from "./actions/delegateVotes.ts";
import { transfer, type TransferParameters } from "./actions/transfer.ts";
import type { LineageContext } from "./context.ts";

export function createLineageClient(ctx: LineageContext) {
  return {
    ...ctx,
    approve: (p: ApproveParameters) => approve(ctx, p),
    transfer: (p: TransferParameters) => transfer(ctx, p),
    delegateVotes: (p?: DelegateVotesParameters) => delegateVotes(ctx, p),
  };
}
export type LineageClient = ReturnType<typeof createLineageClient>;
