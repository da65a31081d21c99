// SPDX-License-Identifier: MIT
/** Operators and delegations: stake, delegate, unbond (with the delay shown), withdraw; slashing and veto history. */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useMemo, useState } from "react";
import type { Address } from "viem";
import { stakingRegistryAbi } from "../../../sdk/abi/index.ts";
import { contractAddress } from "../../../sdk/addresses/index.ts";
import { Badge, Field, Loading, QueryError, Status, useAction } from "../components/ui.tsx";
import { claimStakingRewards, requestUnbond, withdrawUnbonded } from "../lib/actions.ts";
import { date, duration, open, parseOpen, short } from "../lib/format.ts";
import { checkOpen } from "../lib/guards.ts";
import { fetchStaking } from "../lib/queries.ts";
import { useChainTime } from "../lib/useChainTime.ts";
import { useWallet } from "../wallet/WalletContext.tsx";

const Chart = lazy(() => import("../components/Chart.tsx").then((m) => ({ default: m.Chart })));

export default function Staking() {
  const w = useWallet();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["staking", w.address], queryFn: () => fetchStaking(w.address), refetchInterval: 5_000 });
  const delay = useQuery({
    queryKey: ["unbondingDelay"],
    queryFn: async () =>
      Number(await w.reader.publicClient.readContract({ address: contractAddress(w.reader.deployment, "StakingRegistry"), abi: stakingRegistryAbi, functionName: "unbondingDelay" })),
  });
  const [operator, setOperator] = useState("");
  const [amount, setAmount] = useState("");
  const [errs, setErrs] = useState<{ operator?: string; amount?: string }>({});
  const act = useAction();
  const now = useChainTime();
  const ops = q.data?.operators.items ?? [];
  const chart = useMemo(
    () => ({
      x: ops.map((_, i) => i),
      series: [
        { label: "Own stake (OPEN)", values: ops.map((o) => Number(o.selfStake / 10n ** 18n)), color: "#2755c9" },
        { label: "Delegated (OPEN)", values: ops.map((o) => Number(o.delegatedStake / 10n ** 18n)), color: "#17803d" },
      ],
    }),
    [ops],
  );
  const refresh = () => qc.invalidateQueries({ queryKey: ["staking"] });

  const send = async (kind: "delegate" | "unbond") => {
    const e: typeof errs = {};
    const op = ops.find((o) => o.address.toLowerCase() === operator.toLowerCase());
    if (!op) e.operator = "Choose an operator from the list.";
    const a = parseOpen(amount);
    if (!a.ok) e.amount = a.error;
    setErrs(e);
    if (!op || !a.ok) return act.fail("Fix the fields marked above: nothing was sent.");
    const self = w.address?.toLowerCase() === op.address.toLowerCase();
    if (kind === "delegate") {
      await act.run(self ? "Staking…" : "Delegating…", async () => {
        const client = await w.require();
        const note = await checkOpen(client, a.value, "StakingRegistry", self ? "staking" : "delegating");
        if (self) await client.stake({ amount: a.value });
        else await client.delegateStake({ operator: op.address as Address, amount: a.value });
        await refresh();
        return `${self ? "Staked" : "Delegated"} ${open(a.value)} to ${short(op.address)}${note}.`;
      });
    } else {
      const mine = q.data?.delegations.items.find((d) => d.operator.toLowerCase() === op.address.toLowerCase());
      if (!mine || mine.amount < a.value) return act.fail(`You have ${open(mine?.amount ?? 0n)} bonded with this operator: you cannot unbond more. Nothing was sent.`);
      await act.run("Requesting the unbond…", async () => {
        const client = await w.require();
        await requestUnbond(client, { operator: op.address as Address, amount: a.value });
        await refresh();
        return `Unbonding ${open(a.value)}: withdrawable in ${duration(delay.data ?? 0)} (stops voting and earning now).`;
      });
    }
  };

  if (q.isPending) return <Loading what="staking" />;
  if (q.error) return <QueryError error={q.error} />;
  return (
    <>
      <h1>Staking</h1>
      <p>
        Unbonding delay: <strong>{delay.data !== undefined ? duration(delay.data) : "…"}</strong> (stake stays slashable that long after you ask to leave).
      </p>
      <section className="card" aria-labelledby="ops-h">
        <h2 id="ops-h">Operators</h2>
        {ops.length === 0 ? (
          <p>No operator registered yet.</p>
        ) : (
          <>
            <Suspense fallback={<Loading what="chart" />}>
              <Chart title="Stake distribution by operator" x={chart.x} series={chart.series} xLabel="operator (table order)" yLabel="OPEN" bars />
            </Suspense>
            <table aria-label="Operators">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Operator</th>
                  <th scope="col">Role</th>
                  <th scope="col">Own stake</th>
                  <th scope="col">Delegated</th>
                  <th scope="col">Commission</th>
                  <th scope="col">Slashed</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {ops.map((o, i) => (
                  <tr key={o.address}>
                    <td>{i}</td>
                    <td className="mono">{short(o.address)}</td>
                    <td>{o.role}</td>
                    <td>{open(o.selfStake)}</td>
                    <td>{open(o.delegatedStake)}</td>
                    <td>{(o.commissionBps / 100).toFixed(2)}%</td>
                    <td>{open(o.slashedTotal)}</td>
                    <td>{o.jailedUntil && Number(o.jailedUntil) > now ? <Badge tone="bad">jailed until {date(o.jailedUntil)}</Badge> : <Badge tone="good">active</Badge>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
      <section className="card" aria-labelledby="deleg-h">
        <h2 id="deleg-h">Stake, delegate or unbond</h2>
        <form onSubmit={(e) => (e.preventDefault(), void send("delegate"))} noValidate aria-label="Delegate">
          <Field label="Operator" error={errs.operator} hint="Your own address here means staking as that operator.">
            {(id, d) => (
              <select id={id} aria-describedby={d} value={operator} onChange={(e) => setOperator(e.target.value)}>
                <option value="">Choose…</option>
                {ops.map((o) => (
                  <option key={o.address} value={o.address}>
                    {short(o.address)} ({o.role})
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Amount (OPEN)" error={errs.amount}>
            {(id, d) => <input id={id} inputMode="decimal" aria-describedby={d} aria-invalid={!!errs.amount} value={amount} onChange={(e) => setAmount(e.target.value)} />}
          </Field>
          <div className="row">
            <button type="submit" disabled={act.busy}>
              Delegate / stake
            </button>
            <button type="button" className="secondary" onClick={() => void send("unbond")} disabled={act.busy}>
              Unbond
            </button>
          </div>
          <Status state={act.state} />
        </form>
      </section>
      {w.address && (
        <section className="card" aria-labelledby="mine-h">
          <h2 id="mine-h">Your positions</h2>
          {q.data.delegations.items.length === 0 ? (
            <p>No delegation yet.</p>
          ) : (
            <ul>
              {q.data.delegations.items.map((d) => (
                <li key={d.id} className="row">
                  {short(d.operator)}: {open(d.amount)} bonded{d.unbonding > 0n ? `, ${open(d.unbonding)} unbonding` : ""}
                  <button type="button" className="secondary" disabled={act.busy} onClick={() => act.run("Claiming staking rewards…", async () => {
                    const c = await w.require();
                    await claimStakingRewards(c, { operator: d.operator as Address });
                    await refresh();
                    return "Staking rewards claimed.";
                  })}>
                    Claim rewards
                  </button>
                </li>
              ))}
            </ul>
          )}
          <h3>Withdrawals</h3>
          {q.data.withdrawals.items.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <ul>
              {q.data.withdrawals.items.map((wd) => {
                const ready = Number(wd.readyAt) <= now;
                return (
                  <li key={wd.id.toString()} className="row">
                    #{wd.id.toString()} {open(wd.amount)} from {short(wd.operator)}:{" "}
                    {wd.withdrawn ? (
                      <Badge>withdrawn</Badge>
                    ) : ready ? (
                      <button type="button" disabled={act.busy} onClick={() => act.run("Withdrawing…", async () => {
                        const c = await w.require();
                        await withdrawUnbonded(c, { withdrawalId: wd.id });
                        await refresh();
                        return `Withdrawal #${wd.id} paid.`;
                      })}>
                        Withdraw
                      </button>
                    ) : (
                      <Badge tone="warn">ready {date(wd.readyAt)} (in {duration(Number(wd.readyAt) - now)})</Badge>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </section>
      )}
      <section className="card" aria-labelledby="slash-h">
        <h2 id="slash-h">Slashing and vetoes</h2>
        {q.data.slashs.items.length === 0 ? (
          <p>No slash proposed or executed on this network.</p>
        ) : (
          <table aria-label="Slashes">
            <thead>
              <tr>
                <th scope="col">Operator</th>
                <th scope="col">Cut</th>
                <th scope="col">Status</th>
                <th scope="col">Veto window ends</th>
                <th scope="col">Amount</th>
              </tr>
            </thead>
            <tbody>
              {q.data.slashs.items.map((s) => (
                <tr key={s.id}>
                  <td className="mono">{short(s.operator)}</td>
                  <td>{(s.bps / 100).toFixed(2)}%</td>
                  <td>
                    <Badge tone={s.status === "vetoed" ? "good" : s.status === "executed" ? "bad" : "warn"}>{s.status}</Badge>
                  </td>
                  <td>{s.vetoEndsAt ? date(s.vetoEndsAt) : "–"}</td>
                  <td>{s.amount !== null ? open(s.amount) : "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
