// SPDX-License-Identifier: MIT
/** Connect / account picker / network state, top right. */
import { useState } from "react";
import { humanError } from "../lib/errors.ts";
import { short } from "../lib/format.ts";
import { useConfig } from "../lib/useConfig.ts";
import { useWallet } from "../wallet/WalletContext.tsx";

export function WalletBar() {
  const w = useWallet();
  const cfg = useConfig();
  const [err, setErr] = useState<string>();
  const dev = cfg.devKeys.length > 0;
  return (
    <div className="wallet" aria-label="Wallet">
      {w.kind === undefined && (
        <>
          {dev && (
            <button type="button" onClick={w.connectDev}>
              Use development wallet
            </button>
          )}
          <button type="button" className={dev ? "secondary" : ""} onClick={() => w.connectInjected().catch((e) => setErr(humanError(e)))}>
            Connect browser wallet
          </button>
        </>
      )}
      {w.kind === "dev" && (
        <>
          <label htmlFor="dev-account" className="sr-only">
            Development account
          </label>
          <select id="dev-account" value={w.devIndex} onChange={(e) => w.selectDev(Number(e.target.value))}>
            {w.devAccounts.map((a, i) => (
              <option key={a} value={i}>
                Dev #{i} {short(a)}
              </option>
            ))}
          </select>
          <span className="muted" title="anvil's test accounts; they sign in this page">
            dev wallet
          </span>
        </>
      )}
      {w.kind === "injected" && <span data-testid="account">{short(w.address ?? "")}</span>}
      {w.kind !== undefined && !w.chainOk && (
        <button type="button" className="warn" onClick={() => w.switchNetwork().catch((e) => setErr(humanError(e)))}>
          Wrong network: switch to chain {cfg.chainId}
        </button>
      )}
      {w.kind !== undefined && (
        <button type="button" className="secondary" onClick={w.disconnect}>
          Disconnect
        </button>
      )}
      {err && (
        <span role="alert" className="error">
          {err}
        </span>
      )}
    </div>
  );
}
