// SPDX-License-Identifier: MIT
/**
 * Model Factory: pick a granted Datanet version and a base, a preset and hyper-parameters, start a fine-tune on the
 * local training service (runTrain), watch loss / tokens/s / ETA streamed live (survives a reload), cancel, then
 * publish the adapter as a model NFT with a price and a revenue split.
 */
import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import type { Hex } from "viem";
import { sha256 } from "viem";
import { Field, Loading, Notice, QueryError, Status, useAction } from "../components/ui.tsx";
import { duration, open, parseIntIn, parseNumberIn, parseOpen } from "../lib/format.ts";
import { putBlob } from "../lib/metadata.ts";
import { fetchAccess } from "../lib/queries.ts";
import { LORA_TARGETS, PRESETS, runSummarySchema, trainEventSchema, type RunSummary, type TrainProgress, type TrainRequest } from "../lib/training.ts";
import { useConfig } from "../lib/useConfig.ts";
import { useWallet } from "../wallet/WalletContext.tsx";

const Chart = lazy(() => import("../components/Chart.tsx").then((m) => ({ default: m.Chart })));
const RUN_KEY = "lineage.factory.run";

type Preset = keyof typeof PRESETS;
const HELP = {
  rank: "Size of the low-rank update: larger learns more, costs more.",
  alpha: "Scale of the update (alpha / rank multiplies it).",
  lr: "Learning rate: how far each step moves the weights.",
  steps: "Optimizer steps: training length.",
  batchSize: "Examples per step.",
  evalEvery: "Held-out loss every N steps (0 = only at the end).",
  quantize: "QLoRA: keep the base in 8 or 4 bits to save memory.",
  targets: "Which projections of each block get an adapter.",
};

function useRun(id: string | undefined) {
  const [run, setRun] = useState<RunSummary>();
  const [points, setPoints] = useState<TrainProgress[]>([]);
  const [logs, setLogs] = useState<string[]>([]);
  useEffect(() => {
    if (!id) return;
    setPoints([]);
    setLogs([]);
    let closed = false;
    void fetch(`/api/train/runs/${id}`).then(async (r) => {
      if (!r.ok) {
        localStorage.removeItem(RUN_KEY);
        return;
      }
      if (!closed) setRun(runSummarySchema.parse(await r.json()));
    });
    // The server replays every event of the run, then streams new ones: a reload loses nothing.
    const es = new EventSource(`/api/train/runs/${id}/events`);
    es.onmessage = (m) => {
      const ev = trainEventSchema.safeParse(JSON.parse(m.data as string));
      if (!ev.success) return;
      const e = ev.data;
      if (e.type === "progress") setPoints((p) => [...p, e.progress]);
      else if (e.type === "log") setLogs((l) => [...l.slice(-20), e.message]);
      else {
        setRun((r) => r && { ...r, state: e.type === "done" ? "done" : e.type === "error" ? "error" : "cancelled", result: e.type === "done" ? e.result : r.result, error: e.type === "error" ? e.message : r.error });
        es.close();
      }
    };
    return () => {
      closed = true;
      es.close();
    };
  }, [id]);
  return { run, points, logs };
}

export default function Factory() {
  const w = useWallet();
  const cfg = useConfig();
  const [runId, setRunId] = useState<string | undefined>(() => localStorage.getItem(RUN_KEY) ?? undefined);
  const grants = useQuery({ queryKey: ["grants", w.address], enabled: !!w.address, queryFn: () => fetchAccess(w.address!) });
  const bases = useQuery({
    queryKey: ["bases"],
    enabled: cfg.services.training,
    queryFn: async () => (await (await fetch("/api/train/bases")).json()) as { name: string; about: string }[],
  });
  const [preset, setPreset] = useState<Preset>("quick");
  const [f, setF] = useState(() => formOf("quick"));
  const [sel, setSel] = useState("");
  const [base, setBase] = useState("");
  const [errs, setErrs] = useState<Record<string, string>>({});
  const act = useAction();
  const { run, points, logs } = useRun(runId);
  // Versions the account may train on: granted or bought, and every version of the Datanets it owns.
  const owned = new Set((grants.data?.datanets.items ?? []).map((d) => d.id));
  const usable = [
    ...(grants.data?.versions.items ?? []).filter((v) => owned.has(v.datanetId)).map((v) => ({ ...v, status: "owner" })),
    ...(grants.data?.accessGrants.items ?? []).filter((g) => g.status !== "requested" && g.status !== "denied" && !owned.has(g.datanetId)),
  ];

  if (!cfg.services.training) return (<><h1>Model Factory</h1><Notice kind="warn">The training service is not available on this network yet (it runs beside the local devnet only).</Notice></>);
  if (!w.address) return (<><h1>Model Factory</h1><p>Connect a wallet: training reads Datanet versions your account has access to.</p></>);

  const start = async () => {
    const e: Record<string, string> = {};
    const [dn, ver] = sel.split(":");
    if (!dn || !ver) e.version = "Choose a Datanet version you have access to.";
    if (!base) e.base = "Choose a base model.";
    const rank = parseIntIn(f.rank, 1, 64, "Rank");
    const alpha = parseNumberIn(f.alpha, 0.001, 1024, "Alpha");
    const lr = parseNumberIn(f.lr, 1e-6, 1, "Learning rate");
    const steps = parseIntIn(f.steps, 1, 5000, "Steps");
    const batch = parseIntIn(f.batchSize, 1, 64, "Batch size");
    const ev = parseIntIn(f.evalEvery, 0, 5000, "Eval every");
    for (const [k, r] of Object.entries({ rank, alpha, lr, steps, batchSize: batch, evalEvery: ev })) if (!r.ok) e[k] = r.error;
    if (f.targets.length === 0) e.targets = "Pick at least one target module.";
    setErrs(e);
    if (Object.keys(e).length || !rank.ok || !alpha.ok || !lr.ok || !steps.ok || !batch.ok || !ev.ok) return act.fail("Fix the fields marked above: nothing was started.");
    const req: TrainRequest = { account: w.address!, datanetId: dn!, versionId: ver!, base, rank: rank.value, alpha: alpha.value, lr: lr.value, steps: steps.value, batchSize: batch.value, targets: f.targets, quantize: f.quantize, evalEvery: ev.value };
    await act.run("Starting the run…", async () => {
      const res = await fetch("/api/train/runs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(req) });
      const body = (await res.json()) as { id?: string; error?: string };
      if (!res.ok || !body.id) throw new Error(body.error ?? `the training service answered ${res.status}`);
      localStorage.setItem(RUN_KEY, body.id);
      setRunId(body.id);
      return `Run ${body.id} started.`;
    });
  };
  const cancel = () =>
    act.run("Cancelling…", async () => {
      const res = await fetch(`/api/train/runs/${runId}`, { method: "DELETE" });
      if (!res.ok) throw new Error(((await res.json()) as { error?: string }).error ?? "could not cancel");
      return "Run cancelled.";
    });

  return (
    <>
      <h1>Model Factory</h1>
      <section className="card" aria-labelledby="setup-h">
        <h2 id="setup-h">New fine-tune</h2>
        <p className="muted">Each contribution of the version must be JSONL lines of {"{prompt, response}"} (or instruction/output, question/answer).</p>
        {grants.error && <QueryError error={grants.error} />}
        <Field label="Datanet version" error={errs.version} hint={usable.length === 0 ? "Your account has no access yet: request or buy it on a Datanet's page." : undefined}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={sel} onChange={(e) => setSel(e.target.value)}>
              <option value="">Choose…</option>
              {usable.map((g) => (
                <option key={`${g.datanetId}:${g.versionId}`} value={`${g.datanetId}:${g.versionId}`}>
                  Datanet #{g.datanetId.toString()} v{g.versionId.toString()} ({g.status})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Base model" error={errs.base}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={base} onChange={(e) => setBase(e.target.value)}>
              <option value="">Choose…</option>
              {(bases.data ?? []).map((b) => (
                <option key={b.name} value={b.name}>
                  {b.name}: {b.about}
                </option>
              ))}
            </select>
          )}
        </Field>
        <fieldset className="field">
          <legend>Preset</legend>
          {(Object.keys(PRESETS) as Preset[]).map((p) => (
            <div key={p} className="row">
              <input type="radio" id={`preset-${p}`} name="preset" checked={preset === p} onChange={() => (setPreset(p), setF(formOf(p)))} />
              <label htmlFor={`preset-${p}`}>
                {PRESETS[p].label}: <span className="muted">{PRESETS[p].about}</span>
              </label>
            </div>
          ))}
        </fieldset>
        <div className="grid">
          {(["rank", "alpha", "lr", "steps", "batchSize", "evalEvery"] as const).map((k) => (
            <Field key={k} label={{ rank: "Rank", alpha: "Alpha", lr: "Learning rate", steps: "Steps", batchSize: "Batch size", evalEvery: "Eval every" }[k]} hint={HELP[k]} error={errs[k]}>
              {(id, d) => <input id={id} aria-describedby={d} aria-invalid={!!errs[k]} value={f[k]} onChange={(e) => setF({ ...f, [k]: e.target.value })} />}
            </Field>
          ))}
          <Field label="Quantised base (QLoRA)" hint={HELP.quantize}>
            {(id, d) => (
              <select id={id} aria-describedby={d} value={f.quantize} onChange={(e) => setF({ ...f, quantize: e.target.value as TrainRequest["quantize"] })}>
                <option value="none">none (fp32)</option>
                <option value="Q8_0">8-bit</option>
                <option value="Q4_0">4-bit</option>
              </select>
            )}
          </Field>
        </div>
        <fieldset className="field" aria-describedby="targets-hint">
          <legend>Target modules</legend>
          <div className="row">
            {LORA_TARGETS.map((t) => (
              <span key={t}>
                <input type="checkbox" id={`t-${t}`} checked={f.targets.includes(t)} onChange={(e) => setF({ ...f, targets: e.target.checked ? [...f.targets, t] : f.targets.filter((x) => x !== t) })} />
                <label htmlFor={`t-${t}`}>{t}</label>
              </span>
            ))}
          </div>
          <small id="targets-hint" className="hint">{HELP.targets}</small>
          {errs.targets && <small className="error" role="alert">{errs.targets}</small>}
        </fieldset>
        <button type="button" onClick={start} disabled={act.busy || run?.state === "running"}>
          Start fine-tune
        </button>
        <Status state={act.state} />
      </section>
      {runId && <RunView id={runId} run={run} points={points} logs={logs} onCancel={cancel} busy={act.busy} onForget={() => (localStorage.removeItem(RUN_KEY), setRunId(undefined))} />}
    </>
  );
}

function formOf(p: Preset) {
  const x = PRESETS[p];
  return { rank: String(x.rank), alpha: String(x.alpha), lr: String(x.lr), steps: String(x.steps), batchSize: String(x.batchSize), evalEvery: String(x.evalEvery), targets: [...x.targets] as TrainRequest["targets"], quantize: x.quantize as TrainRequest["quantize"] };
}

function RunView({ id, run, points, logs, onCancel, onForget, busy }: { id: string; run?: RunSummary; points: TrainProgress[]; logs: string[]; onCancel: () => void; onForget: () => void; busy: boolean }) {
  const last = points.at(-1);
  const chart = useMemo(() => {
    const x = points.map((p) => p.step);
    return { x, series: [{ label: "training loss", values: points.map((p) => p.loss), color: "#2755c9" }, { label: "held-out loss", values: points.map((p) => p.evalLoss ?? null), color: "#b3261e" }] };
  }, [points]);
  return (
    <section className="card" aria-labelledby="run-h">
      <h2 id="run-h">
        Run {id} <span className="muted">({run?.state ?? "loading"})</span>
      </h2>
      {last && (
        <p role="status" aria-live="polite" data-testid="progress">
          Step {last.step} / {last.totalSteps} · loss {last.loss.toFixed(3)}
          {last.evalLoss !== undefined ? ` · held-out ${last.evalLoss.toFixed(3)}` : ""} · {Math.round(last.tokensPerSec)} tokens/s · ETA {duration(last.etaSec)}
        </p>
      )}
      {points.length > 1 && (
        <Suspense fallback={<Loading what="chart" />}>
          <Chart title="Loss curve" x={chart.x} series={chart.series} xLabel="step" yLabel="loss (nats)" />
        </Suspense>
      )}
      {logs.length > 0 && <pre className="mono" aria-label="Trainer log">{logs.join("\n")}</pre>}
      {run?.state === "error" && <p className="status error" role="alert">The run failed: {run.error}</p>}
      <div className="row">
        {run?.state === "running" && (
          <button type="button" className="warn" onClick={onCancel} disabled={busy}>
            Cancel run
          </button>
        )}
        {run && run.state !== "running" && (
          <button type="button" className="secondary" onClick={onForget}>
            Close
          </button>
        )}
      </div>
      {run?.state === "done" && run.result && <Publish run={run} />}
    </section>
  );
}

function Publish({ run }: { run: RunSummary }) {
  const w = useWallet();
  const [price, setPrice] = useState("0.01");
  const [share, setShare] = useState("30");
  const [name, setName] = useState(`lora-${run.id}`);
  const [errs, setErrs] = useState<Record<string, string>>({});
  const act = useAction();
  const r = run.result!;
  const publish = async () => {
    const e: Record<string, string> = {};
    const p = parseOpen(price, { allowZero: true });
    if (!p.ok) e.price = p.error;
    const s = parseNumberIn(share, 0, 100, "Owner share");
    if (!s.ok) e.share = s.error;
    if (name.trim().length < 3) e.name = "Give a name of at least 3 characters.";
    setErrs(e);
    if (!p.ok || !s.ok || Object.keys(e).length) return act.fail("Fix the fields marked above: nothing was sent.");
    await act.run("Publishing the model NFT…", async () => {
      const client = await w.require();
      const metadata = new TextEncoder().encode(JSON.stringify({ name: name.trim(), run: run.id, adapter: r.published["adapter.gguf"] ?? null, manifest: r.published["manifest.json"] ?? null }));
      await putBlob(metadata);
      const res = await client.mintModel({
        baseModelDigest: r.baseDigest as Hex,
        adapterDigest: r.adapterDigest as Hex,
        manifestDigest: r.manifestDigest as Hex,
        datasets: [{ datanetId: BigInt(run.request.datanetId), versionId: BigInt(run.request.versionId) }],
        pricePer1kTokens: p.value,
        ownerBps: Math.round(s.value * 100),
        metadataDigest: sha256(metadata),
      });
      return `Model #${res.modelId} minted: ${open(p.value)} per 1k tokens, ${s.value}% to the holder.`;
    });
  };
  return (
    <div className="card" aria-label="Publish as a model NFT">
      <h3>Publish as a model NFT</h3>
      <p className="muted">Final loss {r.finalLoss.toFixed(3)} · adapter {r.adapterDigest.slice(0, 12)}… · manifest {r.manifestDigest.slice(0, 12)}…</p>
      <Field label="Model name" error={errs.name}>{(id, d) => <input id={id} aria-describedby={d} value={name} onChange={(e) => setName(e.target.value)} />}</Field>
      <Field label="Price per 1k tokens (OPEN)" error={errs.price}>{(id, d) => <input id={id} aria-describedby={d} value={price} onChange={(e) => setPrice(e.target.value)} />}</Field>
      <Field label="Holder's share of revenue (%)" hint="What the NFT's holder gets after the treasury and node parts; the rest goes to the data contributors." error={errs.share}>
        {(id, d) => <input id={id} aria-describedby={d} value={share} onChange={(e) => setShare(e.target.value)} />}
      </Field>
      <button type="button" onClick={publish} disabled={act.busy}>Mint model NFT</button>
      <Status state={act.state} />
    </div>
  );
}
