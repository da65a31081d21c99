// SPDX-License-Identifier: MIT
/**
 * Contribution items and version roots for the client's actions, on top of `sdk/datanet` (the one implementation of
 * item packing and of the version tree): bad items become the client's {@link InvalidParameterError}.
 */
import { sha256, type Hex } from "viem";
import { ZodError } from "zod";
import {
  buildVersionTree,
  packItems as packDatanetItems,
  VersionTreeError,
  type ContributionItemInput,
  type VersionLeaf,
} from "../datanet/index.ts";
import { InvalidParameterError } from "./errors.ts";

export type { VersionLeaf };

/** One item: the blob's sha2-256 digest and its size in bytes. */
export interface ContributionItem {
  digest: Hex;
  size: number | bigint;
}

/** Packs items as the registry reads them. Throws {@link InvalidParameterError} on a bad digest or size. */
export function packItems(items: readonly ContributionItem[], action = "packItems"): Hex {
  try {
    return packDatanetItems(items as readonly ContributionItemInput[]);
  } catch (e) {
    if (e instanceof ZodError) {
      throw new InvalidParameterError(action, e.issues.map((i) => `${i.path.join(".") || "items"}: ${i.message}`).join("; "));
    }
    throw e;
  }
}

/** An item for a blob: its sha2-256 digest and size. */
export function itemOf(blob: Uint8Array): ContributionItem {
  return { digest: sha256(blob), size: blob.length };
}

/** The root a version over `leaves` (approval order) must carry. */
export function versionRoot(leaves: readonly VersionLeaf[]): Hex {
  try {
    return buildVersionTree(leaves).root;
  } catch (e) {
    if (e instanceof VersionTreeError || e instanceof ZodError) throw new InvalidParameterError("versionRoot", (e as Error).message);
    throw e;
  }
}
