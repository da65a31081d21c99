// SPDX-License-Identifier: MIT
/** The indexer's rows the pages read (subgraph-schema.graphql), zod-checked. BigInts arrive as decimal strings. */
import { z } from "zod";
import { gql } from "./graphql.ts";

const big = z.union([z.string(), z.number()]).transform((v) => BigInt(v));
const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), totalCount: z.number().optional(), pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }).optional() });

export const datanetRow = z.object({
  id: big, owner: z.string(), state: z.string(), dataType: z.string(), declaredBytes: big, metadataURI: z.string(),
  bond: big, validatorGated: z.boolean(), openAccess: z.boolean(), accessFee: big, maxItemSize: z.number(), dailyLimit: z.number(),
  contributionCount: z.number(), pendingCount: z.number(), approvedCount: z.number(), rejectedCount: z.number(), versionCount: z.number(),
  totalBytes: big, createdAt: big,
});
export type DatanetRow = z.output<typeof datanetRow>;
const DATANET_FIELDS = "id owner state dataType declaredBytes metadataURI bond validatorGated openAccess accessFee maxItemSize dailyLimit contributionCount pendingCount approvedCount rejectedCount versionCount totalBytes createdAt";

export async function fetchDatanets(): Promise<DatanetRow[]> {
  const d = await gql(z.object({ datanets: page(datanetRow) }), `{ datanets(orderBy: "id", orderDirection: "desc", limit: 1000) { items { ${DATANET_FIELDS} } } }`);
  return d.datanets.items;
}

export async function fetchDatanet(id: bigint) {
  const q = `query($id: BigInt!, $w: versionFilter, $v: datanetValidatorFilter, $a: accessGrantFilter) {
    datanet(id: $id) { ${DATANET_FIELDS} }
    versions(where: $w, orderBy: "versionId", orderDirection: "desc", limit: 100) { items { versionId root count metadataCID rootMatches publishedAt } }
    datanetValidators(where: $v, limit: 100) { items { validator enabled } }
    accessGrants(where: $a, limit: 1000) { items { versionId account status feePaid } }
  }`;
  const s = z.object({
    datanet: datanetRow.nullable(),
    versions: page(z.object({ versionId: big, root: z.string(), count: big, metadataCID: z.string(), rootMatches: z.boolean(), publishedAt: big })),
    datanetValidators: page(z.object({ validator: z.string(), enabled: z.boolean() })),
    accessGrants: page(z.object({ versionId: big, account: z.string(), status: z.string(), feePaid: big })),
  });
  const w = { datanetId: id.toString() };
  return gql(s, q, { id: id.toString(), w, v: w, a: w });
}

export const contributionRow = z.object({
  id: big, contributor: z.string(), digest: z.string(), size: z.number(), status: z.string(), approvalIndex: z.number().nullable(),
  rejectReason: z.string().nullable(), relayer: z.string().nullable(), submittedAt: big,
});
export type ContributionRow = z.output<typeof contributionRow>;

/** One page of a Datanet's contributions (1,000 rows), oldest first. */
export async function fetchContributionPage(datanetId: bigint, after: string | null) {
  const q = `query($w: contributionFilter, $after: String) { contributions(where: $w, orderBy: "id", orderDirection: "asc", limit: 1000, after: $after) {
    items { id contributor digest size status approvalIndex rejectReason relayer submittedAt } totalCount pageInfo { hasNextPage endCursor } } }`;
  const d = await gql(z.object({ contributions: page(contributionRow) }), q, { w: { datanetId: datanetId.toString() }, after });
  return d.contributions;
}

export const operatorRow = z.object({
  address: z.string(), role: z.string(), metadataURI: z.string(), selfStake: big, delegatedStake: big, commissionBps: z.number(),
  jailedUntil: big.nullable(), slashedTotal: big, rewardsNotified: big,
});
export async function fetchStaking(account?: string) {
  const q = `query($d: delegationFilter, $wd: withdrawalFilter) {
    operators(limit: 1000, orderBy: "selfStake", orderDirection: "desc") { items { address role metadataURI selfStake delegatedStake commissionBps jailedUntil slashedTotal rewardsNotified } }
    delegations(where: $d, limit: 1000) { items { id delegator operator self amount unbonding rewardsClaimed } }
    withdrawals(where: $wd, limit: 1000, orderBy: "id", orderDirection: "desc") { items { id operator amount readyAt withdrawn } }
    slashs(limit: 100, orderBy: "updatedBlock", orderDirection: "desc") { items { id slashId operator bps status vetoEndsAt amount harmedParty updatedBlock } }
    parameters(limit: 200) { items { contract name value } }
  }`;
  const s = z.object({
    operators: page(operatorRow),
    delegations: page(z.object({ id: z.string(), delegator: z.string(), operator: z.string(), self: z.boolean(), amount: big, unbonding: big, rewardsClaimed: big })),
    withdrawals: page(z.object({ id: big, operator: z.string(), amount: big, readyAt: big, withdrawn: z.boolean() })),
    slashs: page(z.object({ id: z.string(), slashId: big, operator: z.string(), bps: z.number(), status: z.string(), vetoEndsAt: big.nullable(), amount: big.nullable(), harmedParty: z.string().nullable(), updatedBlock: big })),
    parameters: page(z.object({ contract: z.string(), name: z.string(), value: z.string() })),
  });
  const who = (account ?? "0x0000000000000000000000000000000000000000").toLowerCase();
  return gql(s, q, { d: { delegator: who }, wd: { delegator: who } });
}

export const proposalRow = z.object({
  id: big, proposer: z.string(), description: z.string(), targets: z.unknown(), voteStart: big, voteEnd: big, status: z.string(),
  forVotes: big, againstVotes: big, abstainVotes: big, eta: big.nullable(), createdBlock: big,
});
export type ProposalRow = z.output<typeof proposalRow>;
export async function fetchGovernance() {
  const q = `{ proposals(limit: 100, orderBy: "createdBlock", orderDirection: "desc") { items { id proposer description targets voteStart voteEnd status forVotes againstVotes abstainVotes eta createdBlock } }
    votes(limit: 1000) { items { proposalId voter support weight withMerit } } }`;
  return gql(z.object({ proposals: page(proposalRow), votes: page(z.object({ proposalId: big, voter: z.string(), support: z.number(), weight: big, withMerit: z.boolean() })) }), q);
}

export async function fetchEarnings(account: string) {
  const q = `query($c: claimFilter) {
    payoutRoots(limit: 200, orderBy: "index", orderDirection: "asc") { items { index epoch root total totalMerit epochEnd finalAt status inputsCid } }
    claims(where: $c, limit: 1000) { items { id amount cumulativeAmount blockNumber } }
  }`;
  const s = z.object({
    payoutRoots: page(z.object({ index: big, epoch: big, root: z.string(), total: big, totalMerit: big, epochEnd: big, finalAt: big, status: z.string(), inputsCid: z.string() })),
    claims: page(z.object({ id: z.string(), amount: big, cumulativeAmount: big, blockNumber: big })),
  });
  return gql(s, q, { c: { account: account.toLowerCase() } });
}

export async function fetchAccess(account: string) {
  const q = `query($a: accessGrantFilter, $o: datanetFilter) { accessGrants(where: $a, limit: 1000) { items { datanetId versionId status } }
    datanets(where: $o, limit: 1000) { items { id } }
    versions(limit: 1000, orderBy: "versionId", orderDirection: "desc") { items { datanetId versionId } }
    models(limit: 200, orderBy: "id", orderDirection: "desc") { items { id owner pricePer1kTokens ownerBps datasets adapterDigest } } }`;
  return gql(
    z.object({
      accessGrants: page(z.object({ datanetId: big, versionId: big, status: z.string() })),
      datanets: page(z.object({ id: big })),
      versions: page(z.object({ datanetId: big, versionId: big })),
      models: page(z.object({ id: big, owner: z.string(), pricePer1kTokens: big, ownerBps: z.number(), datasets: z.unknown(), adapterDigest: z.string() })),
    }),
    q,
    { a: { account: account.toLowerCase() }, o: { owner: account.toLowerCase() } },
  );
}
