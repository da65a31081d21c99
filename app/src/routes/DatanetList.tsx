// SPDX-License-Identifier: MIT
/** Datanets: browse and search (the first route: kept in the main chunk). */
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "wouter";
import { Badge, Loading, QueryError } from "../components/ui.tsx";
import { bytes, open, short } from "../lib/format.ts";
import { useDatanetName } from "../lib/metadata.ts";
import { fetchDatanets, type DatanetRow } from "../lib/queries.ts";

function Row({ d, filter }: { d: DatanetRow; filter: string }) {
  const name = useDatanetName(d.metadataURI);
  const hay = `${name} ${d.metadataURI} ${d.owner} ${d.dataType} #${d.id}`.toLowerCase();
  if (filter && !hay.includes(filter)) return null;
  return (
    <tr>
      <td>#{d.id.toString()}</td>
      <td>
        <Link href={`/datanets/${d.id}`}>{name}</Link>
      </td>
      <td>{d.dataType}</td>
      <td>
        <Badge tone={d.state === "Published" ? "good" : d.state === "Archived" ? "neutral" : "warn"}>{d.state}</Badge>
      </td>
      <td>
        {d.contributionCount} ({d.approvedCount} approved, {d.pendingCount} pending)
      </td>
      <td>{d.versionCount}</td>
      <td>{d.openAccess ? `open, ${open(d.accessFee)}` : "on request"}</td>
      <td>{bytes(d.totalBytes)}</td>
      <td className="mono">{short(d.owner)}</td>
    </tr>
  );
}

export function DatanetList() {
  const [filter, setFilter] = useState("");
  const q = useQuery({ queryKey: ["datanets"], queryFn: fetchDatanets, refetchInterval: 5_000 });
  return (
    <>
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h1>Datanets</h1>
        <Link href="/datanets/new" className="button-link">
          Create a Datanet
        </Link>
      </div>
      <div className="field" style={{ maxWidth: 420 }}>
        <label htmlFor="search">Search Datanets</label>
        <input id="search" type="search" placeholder="name, owner, type or #id" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </div>
      {q.isPending && <Loading what="Datanets" />}
      {q.error && <QueryError error={q.error} />}
      {q.data && q.data.length === 0 && <p>No Datanet yet. Be the first: create one.</p>}
      {q.data && q.data.length > 0 && (
        <table aria-label="Datanets">
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">State</th>
              <th scope="col">Contributions</th>
              <th scope="col">Versions</th>
              <th scope="col">Access</th>
              <th scope="col">Size</th>
              <th scope="col">Owner</th>
            </tr>
          </thead>
          <tbody>
            {q.data.map((d) => (
              <Row key={d.id.toString()} d={d} filter={filter.trim().toLowerCase()} />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
