// SPDX-License-Identifier: MIT
/** `createLineageClient`: every action bound to one context (clients + deployment). */
import { buyAccess, grantAccess, requestAccess, type AccessParameters, type BuyAccessParameters, type GrantAccessParameters } from "./actions/access.ts";
import { approve, type ApproveParameters } from "./actions/approve.ts";
import { contribute, type ContributeParameters } from "./actions/contribute.ts";
import { createDatanet, type CreateDatanetParameters } from "./actions/createDatanet.ts";
import { delegateVotes, type DelegateVotesParameters } from "./actions/delegateVotes.ts";
import { ensureAllowance, type EnsureAllowanceParameters } from "./actions/ensureAllowance.ts";
import { mintModel, type MintModelParameters } from "./actions/mintModel.ts";
import { publishDatanet, type PublishDatanetParameters } from "./actions/publishDatanet.ts";
import { publishRevision, type PublishRevisionParameters } from "./actions/publishRevision.ts";
import { publishVersion, type PublishVersionParameters } from "./actions/publishVersion.ts";
import { relayContributionBatch, type RelayContributionBatchParameters } from "./actions/relayContributionBatch.ts";
import { setValidator, type SetValidatorParameters } from "./actions/setValidator.ts";
import { signContributionBatch, type SignContributionBatchParameters } from "./actions/signContributionBatch.ts";
import { transfer, type TransferParameters } from "./actions/transfer.ts";
import { validateContributions, type ValidateContributionsParameters } from "./actions/validateContributions.ts";
import { withdrawOwed, type WithdrawOwedParameters } from "./actions/withdrawOwed.ts";
import { flushPool, openChannel, redeemVoucher, signVoucher, type OpenChannelParameters, type RedeemVoucherParameters, type SignVoucherParameters } from "./actions/channels.ts";
import { castVote, propose, type CastVoteParameters, type ProposeParameters } from "./actions/governance.ts";
import { castMeritVote, fetchMeritProof, type CastMeritVoteParameters, type FetchMeritProofParameters } from "./actions/merit.ts";
import {
  claim,
  depositPosterBond,
  finalizeRoot,
  postPayoutRoot,
  postRoot,
  type ClaimParameters,
  type DepositBondParameters,
  type PostPayoutRootParameters,
  type PostRootParameters,
} from "./actions/rewards.ts";
import { delegateStake, registerOperator, stake, type DelegateStakeParameters, type RegisterOperatorParameters, type StakeParameters } from "./actions/staking.ts";
import type { LineageContext } from "./context.ts";

export function createLineageClient(ctx: LineageContext) {
  return {
    ...ctx,
    /** The wallet's address (throws for a read-only client). */
    get address() {
      if (!ctx.walletClient) throw new Error("read-only client");
      return ctx.walletClient.account.address;
    },
    // token
    approve: (p: ApproveParameters) => approve(ctx, p),
    ensureAllowance: (p: EnsureAllowanceParameters) => ensureAllowance(ctx, p),
    transfer: (p: TransferParameters) => transfer(ctx, p),
    delegateVotes: (p?: DelegateVotesParameters) => delegateVotes(ctx, p),
    // Datanets
    createDatanet: (p: CreateDatanetParameters) => createDatanet(ctx, p),
    publishDatanet: (p: PublishDatanetParameters) => publishDatanet(ctx, p),
    setValidator: (p: SetValidatorParameters) => setValidator(ctx, p),
    contribute: (p: ContributeParameters) => contribute(ctx, p),
    signContributionBatch: (p: SignContributionBatchParameters) => signContributionBatch(ctx, p),
    relayContributionBatch: (p: RelayContributionBatchParameters) => relayContributionBatch(ctx, p),
    validateContributions: (p: ValidateContributionsParameters) => validateContributions(ctx, p),
    publishVersion: (p: PublishVersionParameters) => publishVersion(ctx, p),
    requestAccess: (p: AccessParameters) => requestAccess(ctx, p),
    grantAccess: (p: GrantAccessParameters) => grantAccess(ctx, p),
    buyAccess: (p: BuyAccessParameters) => buyAccess(ctx, p),
    withdrawOwed: (p?: WithdrawOwedParameters) => withdrawOwed(ctx, p),
    // models
    mintModel: (p: MintModelParameters) => mintModel(ctx, p),
    publishRevision: (p: PublishRevisionParameters) => publishRevision(ctx, p),
    // staking
    registerOperator: (p: RegisterOperatorParameters) => registerOperator(ctx, p),
    stake: (p: StakeParameters) => stake(ctx, p),
    delegateStake: (p: DelegateStakeParameters) => delegateStake(ctx, p),
    // paid inference
    openChannel: (p: OpenChannelParameters) => openChannel(ctx, p),
    signVoucher: (p: SignVoucherParameters) => signVoucher(ctx, p),
    redeemVoucher: (p: RedeemVoucherParameters) => redeemVoucher(ctx, p),
    flushPool: (p: { modelId: bigint }) => flushPool(ctx, p),
    // settlement
    depositPosterBond: (p: DepositBondParameters) => depositPosterBond(ctx, p),
    postRoot: (p: PostRootParameters) => postRoot(ctx, p),
    postPayoutRoot: (p: PostPayoutRootParameters) => postPayoutRoot(ctx, p),
    finalizeRoot: (p: { index: bigint }) => finalizeRoot(ctx, p),
    claim: (p: ClaimParameters) => claim(ctx, p),
    // governance
    propose: (p: ProposeParameters) => propose(ctx, p),
    castVote: (p: CastVoteParameters) => castVote(ctx, p),
    /** The wallet's merit proof from the indexer (`account` defaults to the wallet's). */
    meritProof: (p: Omit<FetchMeritProofParameters, "account"> & { account?: FetchMeritProofParameters["account"] }) =>
      fetchMeritProof({ ...p, account: p.account ?? ctx.walletClient?.account.address ?? ("" as FetchMeritProofParameters["account"]) }),
    castMeritVote: (p: CastMeritVoteParameters) => castMeritVote(ctx, p),
  };
}
export type LineageClient = ReturnType<typeof createLineageClient>;
