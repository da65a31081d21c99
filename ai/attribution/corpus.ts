// SPDX-License-Identifier: MIT
/**
 * The corpus attribution works on: the contributions of a Datanet version (or of a local JSONL file), each with its
 * prompt/response records. Contribution ids are global (DatanetRegistry); for a local JSONL file each line is one
 * contribution whose id is its `contributionId` field or, without one, its 1-based line number.
 */
import { z } from "zod";
import type { DatanetInput } from "../data/index.ts";
import { jsonlValues, type PromptRecord, parseJsonl, toPromptRecord } from "../templates/index.ts";

export interface CorpusContribution {
  contributionId: bigint;
  /** Who receives the contribution's earnings, when known (Datanet versions). */
  contributor?: `0x${string}`;
  records: PromptRecord[];
}

export interface AttributionCorpus {
  datanetId: bigint;
  versionId: bigint;
  root: `0x${string}`;
  contributions: CorpusContribution[];
}

export class CorpusError extends Error {
  override name = "CorpusError";
}

/** The text of one record as indexed for spans and retrieval. */
export function recordText(r: PromptRecord): string {
  return `${r.prompt}\n${r.response}`;
}

/** The text of a contribution (its records, one per line). */
export function contributionText(c: CorpusContribution): string {
  return c.records.map(recordText).join("\n");
}

/** Contributions of a verified Datanet version (ai/data): each blob parsed as JSONL records, in id order. */
export function corpusFromDatanet(input: DatanetInput): AttributionCorpus {
  const dec = new TextDecoder("utf-8", { fatal: true });
  const contributions = input.blobs.map(({ contribution, bytes }) => {
    let text: string;
    try {
      text = dec.decode(bytes);
    } catch {
      throw new CorpusError(`contribution ${contribution.id} is not UTF-8 text`);
    }
    let records: PromptRecord[];
    try {
      records = parseJsonl(text);
    } catch (e) {
      throw new CorpusError(`contribution ${contribution.id}: ${(e as Error).message}`);
    }
    return { contributionId: contribution.id, contributor: contribution.contributor, records };
  });
  return { datanetId: input.datanetId, versionId: input.versionId, root: input.root, contributions: sortById(contributions) };
}

const idField = z.object({ contributionId: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).optional() });

/** A local JSONL file: one contribution per non-blank line (`contributionId` field or the 1-based line number). */
export function corpusFromJsonl(text: string, meta: { datanetId?: bigint; versionId?: bigint; root: `0x${string}` }): AttributionCorpus {
  const out: CorpusContribution[] = [];
  const seen = new Set<bigint>();
  for (const { raw, line } of jsonlValues(text, (m) => new CorpusError(m))) {
    const idp = idField.safeParse(raw);
    if (!idp.success) throw new CorpusError(`line ${line}: contributionId must be a non-negative integer`);
    const id = idp.data.contributionId !== undefined ? BigInt(idp.data.contributionId) : BigInt(line);
    if (seen.has(id)) throw new CorpusError(`line ${line}: contribution ${id} listed twice`);
    seen.add(id);
    out.push({ contributionId: id, records: [toPromptRecord(raw, `line ${line}`)] });
  }
  if (out.length === 0) throw new CorpusError("the JSONL file holds no records");
  return { datanetId: meta.datanetId ?? 0n, versionId: meta.versionId ?? 0n, root: meta.root, contributions: sortById(out) };
}

function sortById(c: CorpusContribution[]): CorpusContribution[] {
  return [...c].sort((a, b) => (a.contributionId < b.contributionId ? -1 : a.contributionId > b.contributionId ? 1 : 0));
}
