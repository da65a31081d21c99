// SPDX-License-Identifier: MIT
/**
 * The deployment file `deployments/<chainId>.json`: written by `script/Deploy.s.sol`, completed by
 * `scripts/devnet/deploy.ts` (deploy block, its hash, ABI hash), read by the SDK, the indexer and `npm start`.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { getAddress, isAddress, isHash, keccak256, toBytes, type Abi, type Address, type Hash } from "viem";
import { z } from "zod";
import { abis, CONTRACT_NAMES, type ContractName } from "../abi/index.ts";

/** The repository root (two levels above this file). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

const address = z.string().refine((s) => isAddress(s, { strict: false }), "not an address").transform((s) => getAddress(s));
const hash = z.string().refine((s) => isHash(s), "not a 32-byte hex hash").transform((s) => s as Hash);

export const deploymentSchema = z.object({
  chainId: z.number().int().positive(),
  deployer: address,
  /** Block number read by the script before its first transaction. */
  startBlock: z.number().int().nonnegative(),
  /** Block of the first deployment transaction: the indexer starts here. */
  deployBlock: z.number().int().nonnegative(),
  /** Hash of `deployBlock` on the chain deployed to: a chain without it is another chain. */
  deployBlockHash: hash,
  /** keccak256 over the deployed contracts' ABIs (see {@link abiHashOf}). */
  abiHash: hash,
  contracts: z.record(z.string(), address),
  roles: z.object({
    keepers: z.array(address),
    slasher: address,
    council: address,
    treasury: address,
  }),
});
export type Deployment = Omit<z.infer<typeof deploymentSchema>, "contracts"> & {
  contracts: Partial<Record<ContractName, Address>> & Record<string, Address>;
};

export class DeploymentFileError extends Error {
  override name = "DeploymentFileError";
}

/** Default path of a chain's deployment file. */
export function deploymentPath(chainId: number, root: string = REPO_ROOT): string {
  return join(root, "deployments", `${chainId}.json`);
}

/** Parses and checks a deployment file's contents. Throws {@link DeploymentFileError} with the reason. */
export function parseDeployment(json: unknown, source = "deployment"): Deployment {
  const r = deploymentSchema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new DeploymentFileError(`${source} is not a valid Lineage deployment: ${issues}`);
  }
  return r.data;
}

/** Reads a deployment file by path. Throws {@link DeploymentFileError} when missing or invalid. */
export function readDeployment(path: string): Deployment {
  if (!existsSync(path)) throw new DeploymentFileError(`no deployment file at ${path}`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new DeploymentFileError(`${path} is not JSON: ${(e as Error).message}`);
  }
  return parseDeployment(json, path);
}

/** Loads `deployments/<chainId>.json`. */
export function loadDeployment(chainId: number, root: string = REPO_ROOT): Deployment {
  return readDeployment(deploymentPath(chainId, root));
}

/** The address of one contract, or a clear error when the deployment lacks it. */
export function contractAddress(deployment: Deployment, name: ContractName): Address {
  const a = deployment.contracts[name];
  if (!a) throw new DeploymentFileError(`deployment for chain ${deployment.chainId} has no ${name}`);
  return a;
}

/** keccak256 of the ABIs of `names` (sorted), each as JSON: changes whenever a deployed contract's interface does. */
export function abiHashOf(names: readonly string[]): Hash {
  const known = abis as Record<string, Abi>;
  const parts = [...names].sort().map((n) => {
    const abi = known[n];
    if (!abi) throw new DeploymentFileError(`no generated ABI for ${n} (run npm run generate)`);
    return `${n}:${JSON.stringify(abi)}`;
  });
  return keccak256(toBytes(parts.join("\n")));
}

/** The contracts this SDK knows, for checks that a deployment covers them all. */
export const KNOWN_CONTRACTS: readonly ContractName[] = CONTRACT_NAMES;
