// SPDX-License-Identifier: MIT
/** Prometheus metrics of the serving node (prom-client, text format at `/metrics`). */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Engine } from "./engine/types.ts";

export class ServeMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: "lineage_serve_requests_total", help: "Requests answered, by route and status", labelNames: ["route", "status"] as const, registers: [this.registry] });
  readonly tokens = new Counter({ name: "lineage_serve_tokens_total", help: "Tokens processed, by kind (prompt, completion)", labelNames: ["kind"] as const, registers: [this.registry] });
  readonly receipts = new Counter({ name: "lineage_serve_receipts_total", help: "Signed receipts journaled", registers: [this.registry] });
  readonly metered = new Counter({ name: "lineage_serve_metered_wei_total", help: "OPEN wei metered in receipts (as a float)", registers: [this.registry] });
  readonly ttft = new Histogram({ name: "lineage_serve_time_to_first_token_seconds", help: "Time from request to first output token", buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry] });
  readonly duration = new Histogram({ name: "lineage_serve_request_duration_seconds", help: "Request duration", labelNames: ["route"] as const, buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers: [this.registry] });
  private recent: Array<[number, number]> = [];

  constructor(engine: Engine) {
    const g = (name: string, help: string, read: () => number) => new Gauge({ name, help, registers: [this.registry], collect() { this.set(read()); } });
    g("lineage_serve_queue_depth", "Requests waiting for an engine slot", () => engine.stats().queued);
    g("lineage_serve_running", "Requests generating", () => engine.stats().running);
    g("lineage_serve_adapters_hot", "Adapters loaded", () => engine.stats().hotAdapters);
    g("lineage_serve_adapter_hits", "Adapter uses that found it loaded", () => engine.stats().adapterHits);
    g("lineage_serve_adapter_loads", "Adapter loads (cold)", () => engine.stats().adapterLoads);
    g("lineage_serve_adapter_evictions", "Adapters evicted from the LRU", () => engine.stats().adapterEvictions);
    g("lineage_serve_adapter_switches", "Context adapter-set switches between batches", () => engine.stats().adapterSwitches);
    g("lineage_serve_tokens_per_second", "Completion tokens per second over the last 10 s", () => {
      const now = Date.now();
      this.recent = this.recent.filter(([t]) => t > now - 10_000);
      return this.recent.reduce((s, [, n]) => s + n, 0) / 10;
    });
  }

  completed(tokensIn: number, tokensOut: number): void {
    this.tokens.inc({ kind: "prompt" }, tokensIn);
    this.tokens.inc({ kind: "completion" }, tokensOut);
    this.recent.push([Date.now(), tokensOut]);
  }
}
