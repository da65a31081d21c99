// SPDX-License-Identifier: MIT
/** Proposals, voting power (OPEN, staked OPEN, merit), vote with the indexer's merit proof, queue, execute. */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { Address, Hex } from "viem";
import { lineageGovernorAbi, openTokenAbi, stakingRegistryAbi } from "../../../sdk/abi/index.ts";
import { contractAddress } from "../../../sdk/addresses/index.ts";
import type { CastVoteParameters } from "../../../sdk/client/index.ts";
import { Badge, Loading, Notice, QueryError, Status, useAction } from "../components/ui.tsx";
import { executeProposal, queueProposal, type ProposalCalls } from "../lib/actions.ts";
import { date, open, short } from "../lib/format.ts";
import { meritOf } from "../lib/merit.ts";
import { fetchGovernance, type ProposalRow } from "../lib/queries.ts";
import { useChainTime } from "../lib/useChainTime.ts";
import { useWallet } from "../wallet/WalletContext.tsx";

/** OpenZeppelin Governor's ProposalState enum. */
const STATES = ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"] as const;

function callsOf(p: ProposalRow): ProposalCalls {
  const targets = (Array.isArray(p.targets) ? p.targets : []) as { target: Address; value: string; calldata: Hex }[];
  return { targets, description: p.description };
}

function VotingPower() {
  const w = useWallet();
  const q = useQuery({
    queryKey: ["power", w.address],
    enabled: w.address !== undefined,
    queryFn: async () => {
      const r = w.reader;
      const account = w.address!;
      const [openVotes, staked, proof] = await Promise.all([
        r.publicClient.readContract({ address: contractAddress(r.deployment, "OpenToken"), abi: openTokenAbi, functionName: "getVotes", args: [account] }),
        r.publicClient.readContract({ address: contractAddress(r.deployment, "StakingRegistry"), abi: stakingRegistryAbi, functionName: "getStakedVotes", args: [account] }),
        meritOf(account).catch(() => null),
      ]);
      const governor = contractAddress(r.deployment, "LineageGovernor");
      const now = (await r.publicClient.getBlock()).timestamp;
      const decayed = proof ? await r.publicClient.readContract({ address: governor, abi: lineageGovernorAbi, functionName: "decayedMerit", args: [proof.merit, proof.epochEnd, now] }) : 0n;
      const params = await r.publicClient.readContract({ address: governor, abi: lineageGovernorAbi, functionName: "meritParametersAt", args: [now] });
      // meritWeight is k scaled by the Governor's MERIT_WEIGHT_SCALE (10,000 = one vote per unit of merit).
      return { openVotes, staked, merit: proof?.merit ?? 0n, decayed, k: params.meritWeight, capBps: params.meritCapBps };
    },
  });
  if (!w.address) return <p className="muted">Connect a wallet to see your voting power.</p>;
  if (q.isPending) return <Loading what="voting power" />;
  if (q.error) return <QueryError error={q.error} />;
  const d = q.data;
  return (
    <dl className="kv" aria-label="Voting power breakdown">
      <dt>OPEN (delegated votes)</dt>
      <dd>{open(d.openVotes)}</dd>
      <dt>Staked OPEN</dt>
      <dd>{open(d.staked)}</dd>
      <dt>Merit</dt>
      <dd>
        {open(d.merit).replace(" OPEN", "")} points, {open(d.decayed).replace(" OPEN", "")} after decay, counted × {d.k / 10_000} (capped at {(d.capBps / 100).toFixed(1)}% of the voting supply), only in
        votes cast with the merit proof
      </dd>
    </dl>
  );
}

export default function Governance() {
  const w = useWallet();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["governance"], queryFn: fetchGovernance, refetchInterval: 5_000 });
  const states = useQuery({
    queryKey: ["proposalStates", q.data?.proposals.items.map((p) => p.id.toString()).join()],
    enabled: !!q.data,
    queryFn: async () => {
      const out: Record<string, string> = {};
      for (const p of q.data!.proposals.items) {
        const s = await w.reader.publicClient.readContract({ address: contractAddress(w.reader.deployment, "LineageGovernor"), abi: lineageGovernorAbi, functionName: "state", args: [p.id] });
        out[p.id.toString()] = STATES[s] ?? String(s);
      }
      return out;
    },
    refetchInterval: 5_000,
  });
  const act = useAction();
  const chainNow = useChainTime();
  const refresh = () => Promise.all([qc.invalidateQueries({ queryKey: ["governance"] }), qc.invalidateQueries({ queryKey: ["proposalStates"] })]);

  const vote = (p: ProposalRow, support: CastVoteParameters["support"], withMerit: boolean) =>
    act.run(`Voting ${support} on proposal ${short(p.id.toString())}${withMerit ? " with your merit proof" : ""}…`, async () => {
      const client = await w.require();
      if (withMerit) {
        const res = await client.castMeritVote({ proposalId: p.id, support, indexerUrl: window.location.origin });
        await refresh();
        return `Voted ${support} with weight ${open(res.weight)} (merit ${open(res.proof.merit).replace(" OPEN", "")} from epoch ${res.proof.epoch}).`;
      }
      const res = await client.castVote({ proposalId: p.id, support });
      await refresh();
      return `Voted ${support} with weight ${open(res.weight)}.`;
    });
  const lifecycle = (p: ProposalRow, step: "queue" | "execute") =>
    act.run(`${step === "queue" ? "Queueing" : "Executing"} the proposal…`, async () => {
      const client = await w.require();
      await (step === "queue" ? queueProposal : executeProposal)(client, callsOf(p));
      await refresh();
      return step === "queue" ? "Queued in the Timelock." : "Executed.";
    });

  if (q.isPending) return <Loading what="proposals" />;
  if (q.error) return <QueryError error={q.error} />;
  return (
    <>
      <h1>Governance</h1>
      <section className="card" aria-labelledby="power-h">
        <h2 id="power-h">Your voting power</h2>
        <VotingPower />
      </section>
      <section aria-labelledby="props-h">
        <h2 id="props-h">Proposals</h2>
        {q.data.proposals.items.length === 0 && <p>No proposal yet.</p>}
        {q.data.proposals.items.map((p) => {
          const state = states.data?.[p.id.toString()] ?? p.status;
          const votes = q.data.votes.items.filter((v) => v.proposalId === p.id);
          const mine = votes.find((v) => v.voter.toLowerCase() === w.address?.toLowerCase());
          return (
            <article key={p.id.toString()} className="card" aria-label={`Proposal ${p.description.slice(0, 60)}`}>
              <h3>
                {p.description.split("\n")[0]} <Badge tone={state === "Active" ? "warn" : state === "Executed" || state === "Succeeded" ? "good" : "neutral"}>{state}</Badge>
              </h3>
              <p className="muted">
                by {short(p.proposer)} · voting {date(p.voteStart)} → {date(p.voteEnd)} · id <span className="mono">{short(p.id.toString())}</span>
              </p>
              <p>
                For {open(p.forVotes)} · Against {open(p.againstVotes)} · Abstain {open(p.abstainVotes)} · {votes.length} vote(s), {votes.filter((v) => v.withMerit).length} with merit
              </p>
              {state === "Active" && !mine && (
                <div className="row" role="group" aria-label="Vote">
                  {(["for", "against", "abstain"] as const).map((s) => (
                    <button key={s} type="button" disabled={act.busy} onClick={() => vote(p, s, true)}>
                      Vote {s} (with merit)
                    </button>
                  ))}
                  <button type="button" className="secondary" disabled={act.busy} onClick={() => vote(p, "for", false)}>
                    Vote for without merit
                  </button>
                </div>
              )}
              {mine && <Notice>You voted ({["against", "for", "abstain"][mine.support]}) with {open(mine.weight)}.</Notice>}
              {state === "Succeeded" && (
                <button type="button" disabled={act.busy} onClick={() => lifecycle(p, "queue")}>
                  Queue
                </button>
              )}
              {state === "Queued" && (
                <button type="button" disabled={act.busy || (p.eta !== null && Number(p.eta) > chainNow)} onClick={() => lifecycle(p, "execute")}>
                  Execute{p.eta !== null && Number(p.eta) > chainNow ? ` (after ${date(p.eta)})` : ""}
                </button>
              )}
            </article>
          );
        })}
        <Status state={act.state} />
      </section>
    </>
  );
}
