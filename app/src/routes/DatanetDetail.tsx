// SPDX-License-Identifier: MIT
/** One Datanet: rules, contribute (drag and drop), contributions with validation status, versions, access. */
import { useQuery } from "@tanstack/react-query";
import { Link } from "wouter";
import { Badge, Loading, QueryError } from "../components/ui.tsx";
import { bytes, date, open, short } from "../lib/format.ts";
import { useDatanetName } from "../lib/metadata.ts";
import { fetchDatanet } from "../lib/queries.ts";
import { useWallet } from "../wallet/WalletContext.tsx";
import { Access } from "./datanet/Access.tsx";
import { ContributionList } from "./datanet/ContributionList.tsx";
import { Contribute } from "./datanet/Contribute.tsx";
import { Versions } from "./datanet/Versions.tsx";

export default function DatanetDetail({ id }: { id: string }) {
  const valid = /^\d{1,20}$/.test(id) && BigInt(id) > 0n;
  const datanetId = valid ? BigInt(id) : 0n;
  const w = useWallet();
  const q = useQuery({ queryKey: ["datanet", id], enabled: valid, queryFn: () => fetchDatanet(datanetId), refetchInterval: 4_000 });
  const name = useDatanetName(q.data?.datanet?.metadataURI ?? "");
  if (!valid) return <p role="alert">“{id}” is not a Datanet id.</p>;
  if (q.isPending) return <Loading what={`Datanet #${id}`} />;
  if (q.error) return <QueryError error={q.error} />;
  const d = q.data.datanet;
  if (!d) return <p role="alert">There is no Datanet #{id}. <Link href="/">All Datanets</Link></p>;
  const me = w.address?.toLowerCase();
  const isOwner = me === d.owner.toLowerCase();
  const validators = q.data.datanetValidators.items.filter((v) => v.enabled).map((v) => v.validator.toLowerCase());
  const isValidator = me !== undefined && validators.includes(me);
  return (
    <>
      <p>
        <Link href="/">← All Datanets</Link>
      </p>
      <h1>
        {name} <span className="muted">#{d.id.toString()}</span> <Badge tone={d.state === "Published" ? "good" : "warn"}>{d.state}</Badge>
      </h1>
      <section className="card" aria-labelledby="rules-h">
        <h2 id="rules-h">Rules</h2>
        <dl className="kv">
          <dt>Owner</dt>
          <dd className="mono">{d.owner}{isOwner ? " (you)" : ""}</dd>
          <dt>Data type</dt>
          <dd>{d.dataType}</dd>
          <dt>Validation</dt>
          <dd>{d.validatorGated ? `validator-gated, bond ${open(d.bond)} per contribution` : "open (approved at once)"}</dd>
          <dt>Validators</dt>
          <dd>{validators.length ? validators.map(short).join(", ") : "none appointed"}</dd>
          <dt>Access</dt>
          <dd>{d.openAccess ? `bought per version for ${open(d.accessFee)}` : "granted by the owner on request"}</dd>
          <dt>Contributions</dt>
          <dd>
            {d.contributionCount} ({d.approvedCount} approved, {d.pendingCount} pending, {d.rejectedCount} rejected), {bytes(d.totalBytes)}
          </dd>
          <dt>Created</dt>
          <dd>{date(d.createdAt)}</dd>
        </dl>
      </section>
      {d.state === "Published" ? <Contribute datanet={d} /> : <p className="notice">This Datanet is a {d.state}: it takes no contributions.</p>}
      <ContributionList datanet={d} canValidate={d.validatorGated && isValidator} />
      <Versions datanet={d} versions={q.data.versions.items} isOwner={isOwner} />
      <Access datanet={d} versions={q.data.versions.items} grants={q.data.accessGrants.items} isOwner={isOwner} />
    </>
  );
}
