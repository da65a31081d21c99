// SPDX-License-Identifier: MIT
/** Datanet metadata: a small JSON document in the content store, named by `ipfs://<cid>` in the registry. */
import { useQuery } from "@tanstack/react-query";
import { z } from "zod";

export const datanetMetadataSchema = z.object({ name: z.string().min(1).max(80), description: z.string().max(2000).default("") });
export type DatanetMetadata = z.output<typeof datanetMetadataSchema>;

/** Stores bytes through the gateway (POST /ipfs, proxied); `datanetId` marks a blob as gated by that Datanet. */
export async function putBlob(bytes: Uint8Array, datanetId?: bigint): Promise<{ cid: string; digest: string; size: number }> {
  const res = await fetch(`/ipfs${datanetId !== undefined ? `?datanetId=${datanetId}` : ""}`, { method: "POST", body: bytes as BodyInit });
  const body = (await res.json().catch(() => ({}))) as { cid?: string; digest?: string; size?: number; error?: string };
  if (!res.ok || !body.cid || !body.digest) throw new Error(`the content gateway refused the upload: ${body.error ?? res.status}`);
  return { cid: body.cid, digest: body.digest, size: body.size ?? bytes.length };
}

/** The name to show: the metadata document's name when the URI points at one the gateway has, else the URI's tail. */
export function useDatanetName(uri: string): string {
  // Only a well-formed CIDv1 (base32, 59 characters for raw sha2-256) is worth asking the gateway for.
  const tail = uri.startsWith("ipfs://") ? uri.slice(7) : "";
  const cid = /^bafk[a-z2-7]{55}$/.test(tail) ? tail : undefined;
  const q = useQuery({
    queryKey: ["meta", cid],
    enabled: cid !== undefined,
    staleTime: Infinity,
    retry: false,
    queryFn: async () => {
      const res = await fetch(`/ipfs/${cid}`);
      if (!res.ok) return null;
      const parsed = datanetMetadataSchema.safeParse(await res.json().catch(() => null));
      return parsed.success ? parsed.data : null;
    },
  });
  return q.data?.name ?? (tail ? tail.replace(/^bafkrei/, "") : uri);
}
