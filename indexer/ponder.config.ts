// SPDX-License-Identifier: MIT
/**
 * Ponder config: one chain (the deployment's), every Lineage contract from the deployment file, starting at its
 * deploy block. Addresses and start blocks are never written by hand.
 */
import { createConfig } from "ponder";
import {
  datanetRegistryAbi,
  lineageGovernorAbi,
  modelRegistryAbi,
  openTokenAbi,
  paymentChannelsAbi,
  rewardsDistributorAbi,
  stakingRegistryAbi,
  timelockControllerAbi,
} from "../sdk/abi/index.ts";
import { contractAddress } from "../sdk/addresses/index.ts";
import { rpcUrls } from "./lanes.ts";
import { deployment, settings } from "./settings.ts";

/**
 * Local devnets (anvil) are thrown away and recreated under the same chain id, with the same contract addresses.
 * Ponder's RPC cache (`ponder_sync`) is keyed by chain id, so a cache from an earlier chain would be replayed.
 * On PGlite the database directory is per deployment (scripts/devnet/devnet.ts), so the cache is safe and makes
 * restarts fast; a shared Postgres database gets no cache for the local chain.
 */
const LOCAL_CHAIN_ID = 31337;

const startBlock = deployment.deployBlock;

export default createConfig({
  database: settings.databaseUrl
    ? { kind: "postgres", connectionString: settings.databaseUrl }
    : { kind: "pglite", directory: settings.pgliteDir },
  chains: {
    lineage: {
      id: deployment.chainId,
      // The URL once per lane (lanes.ts: Ponder rate-limits each URL to ~20 requests/s). As plain URLs Ponder uses its
      // own HTTP client, which has no response size limit (large eth_getLogs answers).
      rpc: rpcUrls(settings.rpcUrl, settings.rpcLanes),
      pollingInterval: settings.pollingInterval,
      disableCache: settings.databaseUrl !== undefined && deployment.chainId === LOCAL_CHAIN_ID,
    },
  },
  contracts: {
    OpenToken: {
      chain: "lineage",
      abi: openTokenAbi,
      address: contractAddress(deployment, "OpenToken"),
      startBlock,
    },
    TimelockController: {
      chain: "lineage",
      abi: timelockControllerAbi,
      address: contractAddress(deployment, "TimelockController"),
      startBlock,
    },
    DatanetRegistry: {
      chain: "lineage",
      abi: datanetRegistryAbi,
      address: contractAddress(deployment, "DatanetRegistry"),
      startBlock,
    },
    ModelRegistry: {
      chain: "lineage",
      abi: modelRegistryAbi,
      address: contractAddress(deployment, "ModelRegistry"),
      startBlock,
    },
    StakingRegistry: {
      chain: "lineage",
      abi: stakingRegistryAbi,
      address: contractAddress(deployment, "StakingRegistry"),
      startBlock,
    },
    PaymentChannels: {
      chain: "lineage",
      abi: paymentChannelsAbi,
      address: contractAddress(deployment, "PaymentChannels"),
      startBlock,
    },
    RewardsDistributor: {
      chain: "lineage",
      abi: rewardsDistributorAbi,
      address: contractAddress(deployment, "RewardsDistributor"),
      startBlock,
    },
    LineageGovernor: {
      chain: "lineage",
      abi: lineageGovernorAbi,
      address: contractAddress(deployment, "LineageGovernor"),
      startBlock,
    },
  },
});
