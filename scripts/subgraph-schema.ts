// SPDX-License-Identifier: MIT
/**
 * The public GraphQL schema (`subgraph-schema.graphql`): one SDL type per indexed table.
 * - {@link servedEntities} reads the entity types a running indexer serves (introspection).
 * - {@link diffSchema} lists every difference between the file and what is served (the sync test asserts none).
 * CLI: `tsx scripts/subgraph-schema.ts --url <graphqlUrl> [--write]` prints the diff, or rewrites the file.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../sdk/addresses/index.ts";
import { gql } from "./devnet/indexer.ts";

export const SCHEMA_FILE = join(REPO_ROOT, "subgraph-schema.graphql");

/** type name -> field name -> GraphQL type (e.g. `BigInt!`). */
export type Entities = Map<string, Map<string, string>>;

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}
const typeString = (t: TypeRef): string =>
  t.kind === "NON_NULL" ? `${typeString(t.ofType!)}!` : t.kind === "LIST" ? `[${typeString(t.ofType!)}]` : t.name!;

const INTROSPECT = `{ __schema { queryType { fields { name type { kind name ofType { kind name ofType { kind name } } } } }
  types { name kind fields { name type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }`;

/** The entity types served at `graphqlUrl`: the object types Query can fetch one of by id. */
export async function servedEntities(graphqlUrl: string): Promise<Entities> {
  const data = await gql<{
    __schema: {
      queryType: { fields: { name: string; type: TypeRef }[] };
      types: { name: string; kind: string; fields: { name: string; type: TypeRef }[] | null }[];
    };
  }>(graphqlUrl, INTROSPECT);
  const single = new Set(
    data.__schema.queryType.fields.filter((f) => f.type.kind === "OBJECT" && f.type.name !== "Meta").map((f) => f.type.name!),
  );
  const out: Entities = new Map();
  for (const t of data.__schema.types) {
    if (t.kind !== "OBJECT" || !single.has(t.name)) continue;
    out.set(t.name, new Map((t.fields ?? []).map((f) => [f.name, typeString(f.type)])));
  }
  return out;
}

/** Parses the `type X { field: Type }` blocks of an SDL file (comments and descriptions ignored). */
export function parseSdl(sdl: string): Entities {
  const text = sdl.replace(/#.*$/gm, "").replace(/"""[\s\S]*?"""/g, "").replace(/"[^"\n]*"/g, "");
  const out: Entities = new Map();
  for (const m of text.matchAll(/\btype\s+(\w+)\s*\{([^}]*)\}/g)) {
    const fields = new Map<string, string>();
    for (const f of m[2]!.matchAll(/(\w+)\s*:\s*([\w!\[\]]+)/g)) fields.set(f[1]!, f[2]!);
    out.set(m[1]!, fields);
  }
  return out;
}

/** Differences between the public schema and the served one (type names compared case-insensitively). */
export function diffSchema(publicSchema: Entities, served: Entities): string[] {
  const diffs: string[] = [];
  const byLower = (m: Entities) => new Map([...m].map(([k, v]) => [k.toLowerCase(), { name: k, fields: v }]));
  const pub = byLower(publicSchema);
  const srv = byLower(served);
  for (const [k, { name, fields }] of pub) {
    const s = srv.get(k);
    if (!s) {
      diffs.push(`type ${name} is in subgraph-schema.graphql but not served`);
      continue;
    }
    for (const [f, t] of fields) {
      const st = s.fields.get(f);
      if (st === undefined) diffs.push(`${name}.${f} is in subgraph-schema.graphql but not served`);
      else if (st !== t) diffs.push(`${name}.${f} is ${t} in subgraph-schema.graphql but served as ${st}`);
    }
    for (const f of s.fields.keys()) if (!fields.has(f)) diffs.push(`${name}.${f} is served but missing from subgraph-schema.graphql`);
  }
  for (const [k, { name }] of srv) if (!pub.has(k)) diffs.push(`type ${name} is served but missing from subgraph-schema.graphql`);
  return diffs;
}

/** Renders entities as SDL under a header comment. */
export function renderSdl(entities: Entities, header: string): string {
  const blocks = [...entities].map(
    ([name, fields]) => `type ${name} {\n${[...fields].map(([f, t]) => `  ${f}: ${t}`).join("\n")}\n}`,
  );
  return `${header}\n${blocks.join("\n\n")}\n`;
}

const HEADER = `# SPDX-License-Identifier: MIT
# Lineage public GraphQL schema: one type per table the indexer (indexer/ponder.schema.ts) serves.
# Each type has a single-row query (\`account(address: ...)\`) and a paginated list (\`accounts(where, orderBy,
# orderDirection, limit, after, before)\` -> { items, pageInfo, totalCount }). BigInt values are decimal strings.
# test/e2e/devnet.test.ts fails when the served schema diverges from this file. Regenerate with
#   tsx scripts/subgraph-schema.ts --url <graphqlUrl> --write
`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf("--url");
  const url = i > 0 ? process.argv[i + 1] : undefined;
  if (!url) {
    console.error("usage: tsx scripts/subgraph-schema.ts --url <graphqlUrl> [--write]");
    process.exit(2);
  }
  const served = await servedEntities(url);
  if (process.argv.includes("--write")) {
    writeFileSync(SCHEMA_FILE, renderSdl(served, HEADER));
    console.log(`wrote ${SCHEMA_FILE} (${served.size} types)`);
  } else {
    const diffs = diffSchema(parseSdl(readFileSync(SCHEMA_FILE, "utf8")), served);
    console.log(diffs.length ? diffs.join("\n") : "in sync");
    process.exit(diffs.length ? 1 : 0);
  }
}
