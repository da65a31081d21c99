// SPDX-License-Identifier: MIT
/**
 * Earnings and claims: the account's cumulative earnings in the latest final payout root (from the indexer's merit
 * proof, checked locally), what is already claimed on-chain, one claim over every epoch (the tree is cumulative),
 * merit and its decay, earnings per epoch.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { lineageGovernorAbi, rewardsDistributorAbi } from "../../../sdk/abi/index.ts";
import { contractAddress } from "../../../sdk/addresses/index.ts";
import { writeContract } from "../../../sdk/client/context.ts";
import { Loading, Notice, QueryError, Status, useAction } from "../components/ui.tsx";
import { date, duration, open } from "../lib/format.ts";
import { meritOf } from "../lib/merit.ts";
import { fetchEarnings } from "../lib/queries.ts";
import { useWallet } from "../wallet/WalletContext.tsx";

const Chart = lazy(() => import("../components/Chart.tsx").then((m) => ({ default: m.Chart })));

export default function Earnings() {
  const w = useWallet();
  const qc = useQueryClient();
  const act = useAction();
  const account = w.address;
  const q = useQuery({
    queryKey: ["earnings", account],
    enabled: account !== undefined,
    queryFn: async () => {
      const r = w.reader;
      const distributor = contractAddress(r.deployment, "RewardsDistributor");
      const governor = contractAddress(r.deployment, "LineageGovernor");
      const [rows, proof, claimed] = await Promise.all([
        fetchEarnings(account!),
        meritOf(account!),
        r.publicClient.readContract({ address: distributor, abi: rewardsDistributorAbi, functionName: "claimed", args: [account!] }),
      ]);
      const now = (await r.publicClient.getBlock()).timestamp;
      const [decayed, params] = await Promise.all([
        proof ? r.publicClient.readContract({ address: governor, abi: lineageGovernorAbi, functionName: "decayedMerit", args: [proof.merit, proof.epochEnd, now] }) : 0n,
        r.publicClient.readContract({ address: governor, abi: lineageGovernorAbi, functionName: "meritParametersAt", args: [now] }),
      ]);
      // Earnings per epoch: the account's cumulative amount in each final root (proof at that root's final time).
      const finals = rows.payoutRoots.items.filter((x) => x.status === "final" || x.status === "superseded");
      const perEpoch = await Promise.all(
        finals.map(async (root) => {
          const p = await meritOf(account!, root.finalAt).catch(() => null);
          return { epoch: Number(root.epoch), end: Number(root.epochEnd), cumulative: p && p.root.toLowerCase() === root.root.toLowerCase() ? p.cumulativeAmount : null };
        }),
      );
      return { rows, proof, claimed, decayed, halfLife: Number(params.halfLife), perEpoch };
    },
    refetchInterval: 10_000,
  });
  if (!account) return (<><h1>Earnings</h1><p>Connect a wallet to see what it earned.</p></>);
  if (q.isPending) return <Loading what="earnings" />;
  if (q.error) return <QueryError error={q.error} />;
  const d = q.data;
  const claimable = d.proof && d.proof.cumulativeAmount > d.claimed ? d.proof.cumulativeAmount - d.claimed : 0n;
  let prev = 0n;
  const per = d.perEpoch.map((e) => {
    const v = e.cumulative === null ? null : Number((e.cumulative - prev) / 10n ** 14n) / 1e4;
    if (e.cumulative !== null) prev = e.cumulative;
    return v;
  });
  const claim = () =>
    act.run("Claiming every epoch at once…", async () => {
      const client = await w.require();
      const p = await meritOf(client.address);
      if (!p) throw new Error("No final payout root has a leaf for this account: nothing to claim, nothing was sent.");
      const already = await client.publicClient.readContract({ address: contractAddress(client.deployment, "RewardsDistributor"), abi: rewardsDistributorAbi, functionName: "claimed", args: [client.address] });
      if (p.cumulativeAmount <= already) throw new Error("Everything is already claimed: nothing was sent.");
      await writeContract(client, "claim", {
        address: contractAddress(client.deployment, "RewardsDistributor"),
        abi: rewardsDistributorAbi,
        functionName: "claim",
        args: [client.address, p.cumulativeAmount, p.merit, p.proof],
      });
      await qc.invalidateQueries({ queryKey: ["earnings"] });
      return `Claimed ${open(p.cumulativeAmount - already)} (epochs up to ${p.epoch}).`;
    });
  return (
    <>
      <h1>Earnings</h1>
      {!d.proof && <Notice>No final payout root includes this account yet: earnings appear after an epoch settles (keepers post a root, the challenge window passes).</Notice>}
      <section className="card" aria-labelledby="claim-h">
        <h2 id="claim-h">Claimable</h2>
        <dl className="kv">
          <dt>Earned (all final epochs)</dt>
          <dd>{open(d.proof?.cumulativeAmount ?? 0n)}</dd>
          <dt>Already claimed</dt>
          <dd>{open(d.claimed)}</dd>
          <dt>Claimable now</dt>
          <dd>
            <strong data-testid="claimable">{open(claimable)}</strong>
          </dd>
        </dl>
        <button type="button" onClick={claim} disabled={act.busy || claimable === 0n}>
          Claim all epochs
        </button>
        <Status state={act.state} />
      </section>
      <section className="card" aria-labelledby="merit-h">
        <h2 id="merit-h">Merit</h2>
        <dl className="kv">
          <dt>Merit in the latest root</dt>
          <dd>{d.proof ? `${open(d.proof.merit).replace(" OPEN", "")} (epoch ${d.proof.epoch}, ended ${date(d.proof.epochEnd)})` : "none"}</dd>
          <dt>After decay today</dt>
          <dd>{open(d.decayed).replace(" OPEN", "")}</dd>
          <dt>Half-life</dt>
          <dd>{duration(d.halfLife)}: merit counts half as much in governance every {duration(d.halfLife)} after its epoch.</dd>
        </dl>
      </section>
      <section className="card" aria-labelledby="epochs-h">
        <h2 id="epochs-h">Earnings per epoch</h2>
        {d.perEpoch.length === 0 ? (
          <p>No epoch has settled on this network yet.</p>
        ) : per.every((v) => v === null) ? (
          <p>{d.perEpoch.length} epoch(s) settled; this account earned nothing in them.</p>
        ) : (
          <Suspense fallback={<Loading what="chart" />}>
            <Chart title="Earned per epoch (OPEN)" x={d.perEpoch.map((e) => e.epoch)} series={[{ label: "OPEN", values: per, color: "#17803d" }]} xLabel="epoch" yLabel="OPEN" bars />
          </Suspense>
        )}
        <h3>Claims</h3>
        {d.rows.claims.items.length === 0 ? <p className="muted">None yet.</p> : (
          <ul>{d.rows.claims.items.map((c) => <li key={c.id}>{open(c.amount)} at block {c.blockNumber.toString()}</li>)}</ul>
        )}
      </section>
    </>
  );
}
