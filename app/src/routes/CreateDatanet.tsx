// SPDX-License-Identifier: MIT
/** Create a Datanet: metadata stored in the content store, rules checked here, then created (and published) on-chain. */
import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useLocation } from "wouter";
import { datanetRegistryAbi } from "../../../sdk/abi/index.ts";
import { contractAddress } from "../../../sdk/addresses/index.ts";
import { DATA_TYPES, type DataType } from "../../../sdk/client/index.ts";
import { Field, Status, useAction } from "../components/ui.tsx";
import { parseIntIn, parseOpen } from "../lib/format.ts";
import { checkOpen } from "../lib/guards.ts";
import { putBlob } from "../lib/metadata.ts";
import { useWallet } from "../wallet/WalletContext.tsx";

type Errors = Partial<Record<"name" | "description" | "size" | "bond" | "fee", string>>;

export default function CreateDatanet() {
  const w = useWallet();
  const qc = useQueryClient();
  const [, navigate] = useLocation();
  const [f, setF] = useState({ name: "", description: "", dataType: "Text" as DataType, size: "5", gated: false, bond: "0", openAccess: false, fee: "0", publish: true });
  const [errors, setErrors] = useState<Errors>({});
  const act = useAction();
  const set = <K extends keyof typeof f>(k: K, v: (typeof f)[K]) => setF((s) => ({ ...s, [k]: v }));

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Errors = {};
    const name = f.name.trim();
    if (name.length < 3 || name.length > 80) errs.name = "Give a name of 3 to 80 characters.";
    if (f.description.length > 2000) errs.description = "At most 2,000 characters.";
    const size = parseIntIn(f.size, 1, 100_000, "Declared size (MB)");
    if (!size.ok) errs.size = size.error;
    const bond = parseOpen(f.bond, { allowZero: true });
    if (!bond.ok) errs.bond = bond.error;
    else if (!f.gated && bond.value > 0n) errs.bond = "A bond only applies to validator-gated Datanets: set 0 or tick validator-gated.";
    const fee = parseOpen(f.fee, { allowZero: true });
    if (!fee.ok) errs.fee = fee.error;
    else if (!f.openAccess && fee.value > 0n) errs.fee = "An access fee only applies to open-access Datanets.";
    setErrors(errs);
    if (Object.keys(errs).length > 0 || !size.ok || !bond.ok || !fee.ok) {
      act.fail("Fix the fields marked above: nothing was sent.");
      return;
    }
    await act.run("Creating the Datanet…", async () => {
      const client = await w.require();
      const declaredBytes = BigInt(size.value) * 1_000_000n;
      if (f.publish) {
        // The publication fee is known only per Datanet; estimate it from the registry's parameters before sending anything.
        const registry = contractAddress(client.deployment, "DatanetRegistry");
        const [base, perMB] = await Promise.all([
          client.publicClient.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "publishFeeBase" }).catch(() => 0n),
          client.publicClient.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "publishFeePerMB" }).catch(() => 0n),
        ]);
        await checkOpen(client, base + perMB * BigInt(size.value), "DatanetRegistry", "publishing");
      }
      const meta = await putBlob(new TextEncoder().encode(JSON.stringify({ name, description: f.description })));
      const created = await client.createDatanet({
        metadataURI: `ipfs://${meta.cid}`,
        dataType: f.dataType,
        declaredBytes,
        rules: { validatorGated: f.gated, bond: bond.value, openAccess: f.openAccess, accessFee: fee.value },
      });
      let msg = `Datanet #${created.datanetId} created`;
      if (f.publish) {
        const pub = await client.publishDatanet({ datanetId: created.datanetId });
        msg += ` and published (fee ${pub.feePaid} wei)`;
      }
      await qc.invalidateQueries({ queryKey: ["datanets"] });
      navigate(`/datanets/${created.datanetId}`);
      return `${msg}.`;
    });
  };

  return (
    <>
      <h1>Create a Datanet</h1>
      <form className="card" onSubmit={onSubmit} noValidate aria-label="Create a Datanet">
        <Field label="Name" error={errors.name}>
          {(id, d) => <input id={id} aria-describedby={d} aria-invalid={!!errors.name} value={f.name} onChange={(e) => set("name", e.target.value)} />}
        </Field>
        <Field label="Description" hint="What the data is, where it comes from, what it is good for." error={errors.description}>
          {(id, d) => <textarea id={id} aria-describedby={d} rows={3} value={f.description} onChange={(e) => set("description", e.target.value)} />}
        </Field>
        <Field label="Data type">
          {(id) => (
            <select id={id} value={f.dataType} onChange={(e) => set("dataType", e.target.value as DataType)}>
              {DATA_TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Declared size (MB)" hint="The publication fee scales with it." error={errors.size}>
          {(id, d) => <input id={id} inputMode="numeric" aria-describedby={d} aria-invalid={!!errors.size} value={f.size} onChange={(e) => set("size", e.target.value)} />}
        </Field>
        <div className="field row">
          <input id="gated" type="checkbox" checked={f.gated} onChange={(e) => set("gated", e.target.checked)} />
          <label htmlFor="gated">Validator-gated (contributions wait for a validator's approval)</label>
        </div>
        <Field label="Bond per contribution (OPEN)" hint="Locked while a contribution is pending; returned on approval." error={errors.bond}>
          {(id, d) => <input id={id} inputMode="decimal" aria-describedby={d} aria-invalid={!!errors.bond} value={f.bond} onChange={(e) => set("bond", e.target.value)} />}
        </Field>
        <div className="field row">
          <input id="openAccess" type="checkbox" checked={f.openAccess} onChange={(e) => set("openAccess", e.target.checked)} />
          <label htmlFor="openAccess">Open access (anyone buys access to a version for a fee)</label>
        </div>
        <Field label="Access fee per version (OPEN)" error={errors.fee}>
          {(id, d) => <input id={id} inputMode="decimal" aria-describedby={d} aria-invalid={!!errors.fee} value={f.fee} onChange={(e) => set("fee", e.target.value)} />}
        </Field>
        <div className="field row">
          <input id="publish" type="checkbox" checked={f.publish} onChange={(e) => set("publish", e.target.checked)} />
          <label htmlFor="publish">Publish now (pays the publication fee; a Draft takes no contributions)</label>
        </div>
        <button type="submit" disabled={act.busy}>
          Create Datanet
        </button>
        <Status state={act.state} />
      </form>
    </>
  );
}
