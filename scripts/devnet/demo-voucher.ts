// SPDX-License-Identifier: MIT
/**
 * Prints the `X-Lineage-Voucher` header value for the devnet's demo channel: a voucher covering everything the node
 * metered on it, read from the node's receipt feed (`GET /v1/receipts`), each receipt's node signature checked.
 *   npx tsx scripts/devnet/demo-voucher.ts [--node http://127.0.0.1:8080] [--rpc http://127.0.0.1:8545]
 */
import { createPublicClient, http, type Address, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { deploymentPath, readDeployment } from "../../sdk/addresses/index.ts";
import { signVoucher, verifyUsageReceipt } from "../../sdk/payout/index.ts";
import { encodeVoucherHeader, feedLineSchema, receiptFromWire } from "../../sdk/serving/index.ts";
import { DEMO_SESSION_KEY, findDemoChannel } from "./demo.ts";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const nodeUrl = arg("--node", "http://127.0.0.1:8080");
const rpc = arg("--rpc", "http://127.0.0.1:8545");
const client = createPublicClient({ transport: http(rpc) }) as PublicClient;
const deployment = readDeployment(deploymentPath(await client.getChainId()));
const demo = await findDemoChannel(client, deployment);
if (!demo) throw new Error("no demo channel on this deployment (was the devnet seeded with the demo adapter?)");
const target = { chainId: deployment.chainId, verifyingContract: deployment.contracts.PaymentChannels as Address };
let metered = 0n;
for (let after = 0; ; ) {
  const text = await (await fetch(`${nodeUrl}/v1/receipts?after=${after}&limit=1000`)).text();
  const lines = text.split("\n").filter(Boolean).map((l) => feedLineSchema.parse(JSON.parse(l)));
  if (lines.length === 0) break;
  for (const l of lines) {
    const r = receiptFromWire(l.receipt);
    if (r.channelId !== demo.channelId) continue;
    if (!(await verifyUsageReceipt(r, demo.node, target))) throw new Error(`receipt ${r.seq} is not signed by the channel's node ${demo.node}`);
    if (r.cumulativeAmount > metered) metered = r.cumulativeAmount;
  }
  after = lines.at(-1)!.cursor;
}
const voucher = await signVoucher(privateKeyToAccount(DEMO_SESSION_KEY), { channelId: demo.channelId, cumulativeAmount: metered }, target);
process.stdout.write(`${encodeVoucherHeader(voucher)}\n`);
