// SPDX-License-Identifier: MIT
/** Versions of a Datanet (Merkle roots over approved contributions, checked by the indexer); the owner publishes. */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Badge, Field, Status, useAction } from "../../components/ui.tsx";
import { date, parseIntIn, short } from "../../lib/format.ts";
import { putBlob } from "../../lib/metadata.ts";
import type { DatanetRow } from "../../lib/queries.ts";
import { useWallet } from "../../wallet/WalletContext.tsx";

export interface VersionItem {
  versionId: bigint;
  root: string;
  count: bigint;
  metadataCID: string;
  rootMatches: boolean;
  publishedAt: bigint;
}

export function Versions({ datanet, versions, isOwner }: { datanet: DatanetRow; versions: VersionItem[]; isOwner: boolean }) {
  const w = useWallet();
  const qc = useQueryClient();
  const [count, setCount] = useState(String(datanet.approvedCount));
  // Follow the approvals as they come in (the owner can still type a smaller count).
  useEffect(() => setCount(String(datanet.approvedCount)), [datanet.approvedCount]);
  const [err, setErr] = useState<string>();
  const act = useAction();
  const last = versions[0]?.count ?? 0n;
  const publish = async () => {
    const c = parseIntIn(count, Number(last) + 1, datanet.approvedCount, "Contributions covered");
    if (datanet.approvedCount <= Number(last)) {
      setErr(undefined);
      return act.fail(`No approved contribution beyond the last version's ${last}: nothing to publish, nothing was sent.`);
    }
    if (!c.ok) {
      setErr(c.error);
      return act.fail("Fix the count: nothing was sent.");
    }
    setErr(undefined);
    await act.run("Building the version tree from the chain's events and publishing…", async () => {
      const client = await w.require();
      const meta = await putBlob(new TextEncoder().encode(JSON.stringify({ datanetId: datanet.id.toString(), count: c.value, createdAt: new Date().toISOString() })));
      const res = await client.publishVersion({ datanetId: datanet.id, count: c.value, metadataCID: meta.cid });
      await qc.invalidateQueries({ queryKey: ["datanet", datanet.id.toString()] });
      return `Version ${res.versionId} published: root ${short(res.root)} over ${c.value} contributions.`;
    });
  };
  return (
    <section className="card" aria-labelledby="versions-h">
      <h2 id="versions-h">Versions</h2>
      {versions.length === 0 ? (
        <p>No version yet.</p>
      ) : (
        <table aria-label="Versions">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Contributions</th>
              <th scope="col">Root</th>
              <th scope="col">Checked</th>
              <th scope="col">Published</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.versionId.toString()}>
                <td>v{v.versionId.toString()}</td>
                <td>{v.count.toString()}</td>
                <td className="mono" title={v.root}>
                  {short(v.root)}
                </td>
                <td>{v.rootMatches ? <Badge tone="good">root matches</Badge> : <Badge tone="bad">root differs from the approvals</Badge>}</td>
                <td>{date(v.publishedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {isOwner && (
        <div className="row" style={{ marginTop: 12, alignItems: "flex-end" }}>
          <Field label="Contributions covered" hint={`Approved so far: ${datanet.approvedCount}; last version: ${last}.`} error={err}>
            {(id, d) => <input id={id} inputMode="numeric" aria-describedby={d} value={count} onChange={(e) => setCount(e.target.value)} style={{ maxWidth: 160 }} />}
          </Field>
          <button type="button" onClick={publish} disabled={act.busy}>
            Publish a version
          </button>
        </div>
      )}
      <Status state={act.state} />
    </section>
  );
}
