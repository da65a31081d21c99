// SPDX-License-Identifier: MIT
/** Chat with a published model: needs a serving endpoint; until one exists on this network, say so (never fake data). */
import { useQuery } from "@tanstack/react-query";
import { Loading, Notice, QueryError } from "../components/ui.tsx";
import { open, short } from "../lib/format.ts";
import { fetchAccess } from "../lib/queries.ts";
import { useConfig } from "../lib/useConfig.ts";

export default function Chat() {
  const cfg = useConfig();
  const models = useQuery({ queryKey: ["models"], queryFn: () => fetchAccess("0x0000000000000000000000000000000000000000") });
  return (
    <>
      <h1>Chat</h1>
      {cfg.services.serving ? (
        <Notice kind="warn">
          A serving endpoint is configured ({cfg.services.serving}), but paying it from this page (a payment channel and signed vouchers through the SDK's paid
          client) is not wired in this release: chat is not available here yet.
        </Notice>
      ) : (
        <Notice kind="warn">
          Chat is not available on this network yet: no serving node is configured or detected (start one and set LINEAGE_SERVING_URL for npm start).
        </Notice>
      )}
      <h2>Published models</h2>
      {models.isPending && <Loading what="models" />}
      {models.error && <QueryError error={models.error} />}
      {models.data && models.data.models.items.length === 0 && <p>No model published yet: train one in the Model Factory.</p>}
      {models.data && models.data.models.items.length > 0 && (
        <table aria-label="Models">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Holder</th>
              <th scope="col">Price per 1k tokens</th>
              <th scope="col">Holder share</th>
            </tr>
          </thead>
          <tbody>
            {models.data.models.items.map((m) => (
              <tr key={m.id.toString()}>
                <td>#{m.id.toString()}</td>
                <td className="mono">{short(m.owner)}</td>
                <td>{open(m.pricePer1kTokens)}</td>
                <td>{(m.ownerBps / 100).toFixed(1)}%</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
