// SPDX-License-Identifier: MIT
/**
 * Contribute files: drag and drop (or pick), each file hashed and stored in the content store through the gateway,
 * then one signed ContributionBatch. No relayer exists on this network yet (keepers, issue 23), so the wallet submits
 * its own signed batch and pays the gas.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useState, type DragEvent } from "react";
import { sha256 } from "viem";
import { contractAddress } from "../../../../sdk/addresses/index.ts";
import { Notice, Status, useAction } from "../../components/ui.tsx";
import { bytes, open } from "../../lib/format.ts";
import { checkOpen } from "../../lib/guards.ts";
import { putBlob } from "../../lib/metadata.ts";
import type { DatanetRow } from "../../lib/queries.ts";
import { useConfig } from "../../lib/useConfig.ts";
import { useWallet } from "../../wallet/WalletContext.tsx";

/** The registry's defaults when a Datanet's rule is 0 (docs/architecture.md: 5 MB items, 10 MB a day). */
const DEFAULT_MAX_ITEM = 5_000_000;
const MAX_FILES = 200;

export function Contribute({ datanet }: { datanet: DatanetRow }) {
  const w = useWallet();
  const cfg = useConfig();
  const qc = useQueryClient();
  const [files, setFiles] = useState<File[]>([]);
  const [over, setOver] = useState(false);
  const [problem, setProblem] = useState<string>();
  const act = useAction();
  const maxItem = datanet.maxItemSize || DEFAULT_MAX_ITEM;

  const add = (list: FileList | null) => {
    if (!list) return;
    const next = [...files, ...Array.from(list)];
    const bad = next.find((f) => f.size === 0 || f.size > maxItem);
    setProblem(bad ? `${bad.name} is ${bytes(bad.size)}: items must be 1 byte to ${bytes(maxItem)}.` : next.length > MAX_FILES ? `At most ${MAX_FILES} files per batch.` : undefined);
    setFiles(next);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    add(e.dataTransfer.files);
  };

  const submit = async () => {
    if (files.length === 0) return act.fail("Add at least one file: nothing was sent.");
    if (problem) return act.fail(`${problem} Nothing was sent.`);
    await act.run("Hashing and storing the files…", async () => {
      const client = await w.require();
      const bond = datanet.validatorGated ? datanet.bond * BigInt(files.length) : 0n;
      await checkOpen(client, bond, "DatanetRegistry", `the bond for ${files.length} contributions`);
      const items = [];
      for (const f of files) {
        const data = new Uint8Array(await f.arrayBuffer());
        const stored = await putBlob(data, datanet.id);
        const digest = sha256(data);
        if (stored.digest.toLowerCase() !== digest.toLowerCase()) throw new Error(`the gateway stored ${f.name} under another digest`);
        items.push({ digest, size: data.length });
      }
      if (bond > 0n) await client.ensureAllowance({ spender: contractAddress(client.deployment, "DatanetRegistry"), amount: bond });
      // The signed batch names the most it bonds per item: the bond this page showed, so a raise after it is refused.
      const signed = await client.signContributionBatch({ datanetId: datanet.id, items, maxBond: datanet.bond });
      const res = await client.relayContributionBatch(signed);
      setFiles([]);
      await qc.invalidateQueries({ queryKey: ["datanet", datanet.id.toString()] });
      await qc.invalidateQueries({ queryKey: ["contributions", datanet.id.toString()] });
      return `${res.ids.length} contribution(s) submitted (ids ${res.ids.join(", ")}), signed batch nonce ${signed.nonce}, tx ${res.hash.slice(0, 10)}…`;
    });
  };

  return (
    <section className="card" aria-labelledby="contribute-h">
      <h2 id="contribute-h">Contribute</h2>
      {!cfg.services.relayer && (
        <Notice>
          Gasless relay not available on this network yet: you sign the batch, and your wallet submits it with its own gas.
        </Notice>
      )}
      <div
        className={`drop${over ? " over" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        data-testid="dropzone"
      >
        <p>Drop files here, or</p>
        <label htmlFor="files" className="button-like">
          Choose files
        </label>{" "}
        <input
          id="files"
          type="file"
          multiple
          onChange={(e) => {
            add(e.target.files);
            e.target.value = ""; // the list below is the selection; the same file can be added again
          }}
        />
        <p className="muted">
          Each file is one contribution (up to {bytes(maxItem)}){datanet.validatorGated ? `, bond ${open(datanet.bond)} each` : ""}.
        </p>
      </div>
      {files.length > 0 && (
        <ul aria-label="Files to contribute">
          {files.map((f, i) => (
            <li key={`${f.name}-${i}`}>
              {f.name} ({bytes(f.size)})
            </li>
          ))}
        </ul>
      )}
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <div className="row">
        <button type="button" onClick={submit} disabled={act.busy}>
          Sign and submit {files.length || ""} file{files.length === 1 ? "" : "s"}
        </button>
        {files.length > 0 && (
          <button type="button" className="secondary" onClick={() => (setFiles([]), setProblem(undefined))}>
            Clear
          </button>
        )}
      </div>
      <Status state={act.state} />
    </section>
  );
}

