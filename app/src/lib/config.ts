// SPDX-License-Identifier: MIT
/** What the app server tells the page at start: the deployment, the dev accounts (local chain only), the services. */
import { isHex, type Hex } from "viem";
import { z } from "zod";
import { parseDeployment, type Deployment } from "../../../sdk/addresses/index.ts";

const hexKey = z.string().refine((s) => isHex(s) && s.length === 66, "not a 32-byte key").transform((s) => s as Hex);

export const appConfigSchema = z.object({
  chainId: z.number().int().positive(),
  networkName: z.string(),
  deployment: z.unknown().transform((d) => parseDeployment(d, "the app server's deployment")),
  /** anvil's well-known test keys, served only on chain 31337 (the built-in development wallet). */
  devKeys: z.array(hexKey),
  services: z.object({
    indexer: z.boolean(),
    gateway: z.boolean(),
    training: z.boolean(),
    /** OpenAI-compatible serving endpoint, when one is configured. */
    serving: z.string().nullable(),
    /** Gasless relayer endpoint (keepers), when one exists. */
    relayer: z.string().nullable(),
  }),
});
export type AppConfig = Omit<z.output<typeof appConfigSchema>, "deployment"> & { deployment: Deployment };

export async function loadConfig(): Promise<AppConfig> {
  const res = await fetch("/api/config");
  if (!res.ok) throw new Error(`the app server did not answer /api/config (${res.status})`);
  return appConfigSchema.parse(await res.json());
}

/** Absolute URL of an app-server path (viem's http transport needs one). */
export const apiUrl = (path: string) => new URL(path, window.location.origin).href;
