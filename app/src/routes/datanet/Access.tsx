// SPDX-License-Identifier: MIT
/** Access to versions: request (owner grants) or buy (open access); the owner grants pending requests. */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { datanetRegistryAbi } from "../../../../sdk/abi/index.ts";
import { contractAddress } from "../../../../sdk/addresses/index.ts";
import type { Address } from "viem";
import { Badge, Status, useAction } from "../../components/ui.tsx";
import { open, short } from "../../lib/format.ts";
import { checkOpen } from "../../lib/guards.ts";
import type { DatanetRow } from "../../lib/queries.ts";
import { useWallet } from "../../wallet/WalletContext.tsx";
import type { VersionItem } from "./Versions.tsx";

interface Grant {
  versionId: bigint;
  account: string;
  status: string;
}

export function Access({ datanet, versions, grants, isOwner }: { datanet: DatanetRow; versions: VersionItem[]; grants: Grant[]; isOwner: boolean }) {
  const w = useWallet();
  const qc = useQueryClient();
  const act = useAction();
  const me = w.address;
  const mine = useQuery({
    queryKey: ["hasAccess", datanet.id.toString(), me, versions.length, grants.length],
    enabled: me !== undefined && versions.length > 0,
    queryFn: async () => {
      const registry = contractAddress(w.reader.deployment, "DatanetRegistry");
      const out: Record<string, boolean> = {};
      for (const v of versions) {
        out[v.versionId.toString()] = await w.reader.publicClient.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "hasAccess", args: [datanet.id, v.versionId, me as Address] });
      }
      return out;
    },
  });
  const refresh = () => Promise.all([qc.invalidateQueries({ queryKey: ["datanet", datanet.id.toString()] }), qc.invalidateQueries({ queryKey: ["hasAccess"] })]);
  const requested = (v: bigint) => grants.some((g) => g.versionId === v && g.account.toLowerCase() === me?.toLowerCase() && g.status === "requested");
  const pendingRequests = grants.filter((g) => g.status === "requested");

  const request = (versionId: bigint) =>
    act.run(`Requesting access to v${versionId}…`, async () => {
      const client = await w.require();
      await client.requestAccess({ datanetId: datanet.id, versionId });
      await refresh();
      return `Access to v${versionId} requested: the owner grants it.`;
    });
  const buy = (versionId: bigint) =>
    act.run(`Buying access to v${versionId}…`, async () => {
      const client = await w.require();
      const note = await checkOpen(client, datanet.accessFee, "DatanetRegistry", "access");
      // Never more than the fee this page showed (a raise after it is refused on-chain).
      await client.buyAccess({ datanetId: datanet.id, versionId, maxFee: datanet.accessFee });
      await refresh();
      return `Access to v${versionId} bought for ${open(datanet.accessFee)}${note}.`;
    });
  const grant = (g: Grant) =>
    act.run(`Granting v${g.versionId} to ${short(g.account)}…`, async () => {
      const client = await w.require();
      await client.grantAccess({ datanetId: datanet.id, versionId: g.versionId, account: g.account as Address });
      await refresh();
      return `Granted v${g.versionId} to ${short(g.account)}.`;
    });

  return (
    <section className="card" aria-labelledby="access-h">
      <h2 id="access-h">Access</h2>
      {versions.length === 0 && <p>Access is per version: none published yet.</p>}
      {versions.length > 0 && (
        <ul>
          {versions.map((v) => {
            const id = v.versionId.toString();
            const has = mine.data?.[id];
            return (
              <li key={id} className="row">
                <span>v{id}:</span>
                {me === undefined ? (
                  <span className="muted">connect a wallet to see your access</span>
                ) : has ? (
                  <Badge tone="good">you have access</Badge>
                ) : datanet.openAccess ? (
                  <button type="button" onClick={() => buy(v.versionId)} disabled={act.busy}>
                    Buy access for {open(datanet.accessFee)}
                  </button>
                ) : requested(v.versionId) ? (
                  <Badge tone="warn">requested, waiting for the owner</Badge>
                ) : (
                  <button type="button" onClick={() => request(v.versionId)} disabled={act.busy}>
                    Request access
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {isOwner && (
        <>
          <h3>Requests waiting for you</h3>
          {pendingRequests.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <ul>
              {pendingRequests.map((g) => (
                <li key={`${g.versionId}-${g.account}`} className="row">
                  <span className="mono">{short(g.account)}</span> asks for v{g.versionId.toString()}
                  <button type="button" onClick={() => grant(g)} disabled={act.busy}>
                    Grant
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <Status state={act.state} />
    </section>
  );
}
