// SPDX-License-Identifier: MIT
/** Reads through the indexer's GraphQL (proxied by the app server at /graphql); answers zod-checked by the caller. */
import type { z } from "zod";

export class GraphQLError extends Error {
  override name = "GraphQLError";
}

export async function gql<S extends z.ZodType>(schema: S, query: string, variables: Record<string, unknown> = {}): Promise<z.output<S>> {
  const res = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  if (!res.ok && res.status !== 400) throw new GraphQLError(`the indexer answered ${res.status}: is it running?`);
  const body = (await res.json()) as { data?: unknown; errors?: { message: string }[] };
  if (body.errors?.length) throw new GraphQLError(body.errors.map((e) => e.message).join("; "));
  const parsed = schema.safeParse(body.data);
  if (!parsed.success) throw new GraphQLError(`unexpected answer from the indexer: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}
