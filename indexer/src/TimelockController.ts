// SPDX-License-Identifier: MIT
/** TimelockController (treasury and governance executor): operations, roles and the minimum delay. */
import { ponder, type Context } from "ponder:registry";
import { parameter, roleMember, timelockOperation } from "ponder:schema";

ponder.on("TimelockController:CallScheduled", async ({ event, context }) => {
  const { id, delay } = event.args;
  const block = event.block.number;
  // A batch emits one CallScheduled per call, all with the same id.
  await context.db
    .insert(timelockOperation)
    .values({
      id,
      calls: 1,
      delay,
      status: "scheduled",
      scheduledBlock: block,
      readyAt: event.block.timestamp + delay,
      executedBlock: null,
    })
    .onConflictDoUpdate((row) => ({ calls: row.calls + 1 }));
});

ponder.on("TimelockController:CallExecuted", async ({ event, context }) => {
  await context.db
    .update(timelockOperation, { id: event.args.id })
    .set({ status: "executed", executedBlock: event.block.number });
});

ponder.on("TimelockController:Cancelled", async ({ event, context }) => {
  await context.db.update(timelockOperation, { id: event.args.id }).set({ status: "cancelled" });
});

ponder.on("TimelockController:MinDelayChange", async ({ event, context }) => {
  const contract = event.log.address;
  await context.db
    .insert(parameter)
    .values({
      id: `${contract}:minDelay`,
      contract,
      name: "minDelay",
      value: event.args.newDuration.toString(),
      updatedBlock: event.block.number,
    })
    .onConflictDoUpdate({ value: event.args.newDuration.toString(), updatedBlock: event.block.number });
});

async function setRole(
  context: Context<"TimelockController:RoleGranted">,
  contract: `0x${string}`,
  role: `0x${string}`,
  member: `0x${string}`,
  active: boolean,
  block: bigint,
) {
  await context.db
    .insert(roleMember)
    .values({ id: `${contract}:${role}:${member}`, contract, role, account: member, active, updatedBlock: block })
    .onConflictDoUpdate({ active, updatedBlock: block });
}

ponder.on("TimelockController:RoleGranted", async ({ event, context }) => {
  await setRole(context, event.log.address, event.args.role, event.args.account, true, event.block.number);
});

ponder.on("TimelockController:RoleRevoked", async ({ event, context }) => {
  await setRole(context, event.log.address, event.args.role, event.args.account, false, event.block.number);
});
