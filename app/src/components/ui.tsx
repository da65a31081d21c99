// SPDX-License-Identifier: MIT
/** Small accessible building blocks: labelled fields, status lines, the action runner every form sends through. */
import { useId, useState, type ReactNode } from "react";
import { humanError } from "../lib/errors.ts";

export function Field(props: { label: string; hint?: string; error?: string; children: (id: string, describedBy: string | undefined) => ReactNode }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  const describedBy = [props.hint ? hintId : "", props.error ? errId : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children(id, describedBy)}
      {props.hint && (
        <small id={hintId} className="hint">
          {props.hint}
        </small>
      )}
      {props.error && (
        <small id={errId} className="error" role="alert">
          {props.error}
        </small>
      )}
    </div>
  );
}

export type ActionState = { status: "idle" } | { status: "pending"; message: string } | { status: "done"; message: string } | { status: "error"; message: string };

/** Runs one user action at a time; any throw becomes a plain sentence, and the action reports what happened. */
export function useAction() {
  const [state, setState] = useState<ActionState>({ status: "idle" });
  const run = async (pending: string, fn: () => Promise<string>): Promise<boolean> => {
    setState({ status: "pending", message: pending });
    try {
      setState({ status: "done", message: await fn() });
      return true;
    } catch (e) {
      setState({ status: "error", message: humanError(e) });
      return false;
    }
  };
  const fail = (message: string) => setState({ status: "error", message });
  return { state, run, fail, busy: state.status === "pending" };
}

export function Status({ state }: { state: ActionState }) {
  if (state.status === "idle") return null;
  if (state.status === "error")
    return (
      <p className="status error" role="alert">
        {state.message}
      </p>
    );
  return (
    <p className={`status ${state.status}`} role="status" aria-live="polite">
      {state.message}
    </p>
  );
}

export function Notice({ children, kind = "info" }: { children: ReactNode; kind?: "info" | "warn" }) {
  return (
    <div className={`notice ${kind}`} role="note">
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" aria-live="polite" className="muted">
      Loading {what}…
    </p>
  );
}

export function QueryError({ error }: { error: unknown }) {
  return (
    <p className="status error" role="alert">
      {humanError(error)}
    </p>
  );
}

export function Badge({ children, tone = "neutral" }: { children: ReactNode; tone?: "neutral" | "good" | "bad" | "warn" }) {
  return <span className={`badge ${tone}`}>{children}</span>;
}
