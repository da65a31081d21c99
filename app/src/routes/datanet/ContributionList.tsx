// SPDX-License-Identifier: MIT
/**
 * A Datanet's contributions with validation status: every page loaded from the indexer (1,000 rows each) into one
 * virtualised list (only the visible rows are in the DOM, so 10,000+ scroll smoothly). Validators tick pending rows
 * and approve or reject them in one transaction.
 */
import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Hex } from "viem";
import { REJECT_REASONS, type RejectReason } from "../../../../sdk/client/index.ts";
import { Badge, Field, QueryError, Status, useAction } from "../../components/ui.tsx";
import { bytes, short } from "../../lib/format.ts";
import { fetchContributionPage, type ContributionRow, type DatanetRow } from "../../lib/queries.ts";
import { useWallet } from "../../wallet/WalletContext.tsx";

const ROW_HEIGHT = 34;
const tone = (s: string) => (s === "Approved" ? "good" : s === "Rejected" ? "bad" : "warn");

/** One row; memoised so a scroll frame re-renders only the rows that enter the window. */
const Row = memo(function Row({ r, start, selectable, checked, onToggle }: { r: ContributionRow; start: number; selectable: boolean; checked: boolean; onToggle: (id: string) => void }) {
  const id = r.id.toString();
  return (
    <div role="listitem" className="vrow" style={{ position: "absolute", top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${start}px)` }}>
      <span>
        {selectable ? (
          <label>
            <input type="checkbox" checked={checked} onChange={() => onToggle(id)} aria-label={`Select contribution ${id}`} /> {id}
          </label>
        ) : (
          id
        )}
      </span>
      <span className="mono" title={r.digest}>
        {short(r.digest)}
        {r.relayer ? " (signed batch)" : ""}
      </span>
      <span className="mono">{short(r.contributor)}</span>
      <span>{bytes(r.size)}</span>
      <span>
        <Badge tone={tone(r.status)}>{r.rejectReason ? `${r.status}: ${r.rejectReason}` : r.status}</Badge>
      </span>
    </div>
  );
});

export function ContributionList({ datanet, canValidate }: { datanet: DatanetRow; canValidate: boolean }) {
  const w = useWallet();
  const qc = useQueryClient();
  const key = ["contributions", datanet.id.toString()];
  const q = useInfiniteQuery({
    queryKey: key,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => fetchContributionPage(datanet.id, pageParam),
    getNextPageParam: (last) => (last.pageInfo?.hasNextPage ? last.pageInfo.endCursor : undefined),
  });
  // Load every page in the background (a page is ~1,000 rows).
  useEffect(() => {
    if (q.hasNextPage && !q.isFetchingNextPage) void q.fetchNextPage();
  }, [q.hasNextPage, q.isFetchingNextPage, q]);
  // The list follows the Datanet's counters: refetch when they move.
  useEffect(() => {
    void qc.invalidateQueries({ queryKey: key });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [datanet.contributionCount, datanet.approvedCount, datanet.rejectedCount]);
  const rows: ContributionRow[] = useMemo(() => q.data?.pages.flatMap((p) => p.items) ?? [], [q.data]);
  const total = q.data?.pages[0]?.totalCount ?? rows.length;
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [reason, setReason] = useState<RejectReason>("LowQuality");
  const act = useAction();
  const parent = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: rows.length, getScrollElement: () => parent.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });

  const toggle = useCallback(
    (id: string) =>
      setSelected((s) => {
        const n = new Set(s);
        if (n.has(id)) n.delete(id);
        else n.add(id);
        return n;
      }),
    [],
  );
  const pending = useMemo(() => rows.filter((r) => r.status === "Pending"), [rows]);
  const verdict = async (reject?: RejectReason) => {
    const digests = rows.filter((r) => selected.has(r.id.toString()) && r.status === "Pending").map((r) => r.digest as Hex);
    if (digests.length === 0) return act.fail("Tick at least one pending contribution: nothing was sent.");
    await act.run(`${reject ? "Rejecting" : "Approving"} ${digests.length} contribution(s)…`, async () => {
      const client = await w.require();
      const res = await client.validateContributions({ datanetId: datanet.id, digests, ...(reject ? { reject } : {}) });
      setSelected(new Set());
      await qc.invalidateQueries({ queryKey: ["datanet", datanet.id.toString()] });
      return `${digests.length} contribution(s) ${reject ? "rejected" : "approved"} (tx ${res.hash.slice(0, 10)}…).`;
    });
  };

  return (
    <section className="card" aria-labelledby="contrib-h">
      <h2 id="contrib-h">
        Contributions <span className="muted">({rows.length.toLocaleString("en-US")} of {total.toLocaleString("en-US")} loaded)</span>
      </h2>
      {q.error && <QueryError error={q.error} />}
      <div className="vrow vhead" role="presentation">
        <span>Id</span>
        <span>Digest</span>
        <span>Contributor</span>
        <span>Size</span>
        <span>Status</span>
      </div>
      <div ref={parent} className="vlist" style={{ height: Math.max(80, Math.min(420, rows.length * ROW_HEIGHT + 2)) }} role="list" aria-label="Contributions" tabIndex={0} data-testid="contributions">
        <div style={{ height: v.getTotalSize(), position: "relative" }}>
          {v.getVirtualItems().map((it) => {
            const r = rows[it.index]!;
            const id = r.id.toString();
            return <Row key={id} r={r} start={it.start} selectable={canValidate && r.status === "Pending"} checked={selected.has(id)} onToggle={toggle} />;
          })}
        </div>
      </div>
      {canValidate && (
        <div className="card" style={{ marginTop: 12 }} aria-label="Validate">
          <p>
            You validate this Datanet: {pending.length} pending. {selected.size} selected.{" "}
            <button type="button" className="secondary" onClick={() => setSelected(new Set(pending.map((r) => r.id.toString())))}>
              Select all pending
            </button>
          </p>
          <div className="row">
            <button type="button" onClick={() => verdict()} disabled={act.busy}>
              Approve selected
            </button>
            <Field label="Reject reason">
              {(fid) => (
                <select id={fid} value={reason} onChange={(e) => setReason(e.target.value as RejectReason)}>
                  {REJECT_REASONS.map((r) => (
                    <option key={r}>{r}</option>
                  ))}
                </select>
              )}
            </Field>
            <button type="button" className="warn" onClick={() => verdict(reason)} disabled={act.busy}>
              Reject selected
            </button>
          </div>
          <Status state={act.state} />
        </div>
      )}
    </section>
  );
}
