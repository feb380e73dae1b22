// Labellers at full speed against one or more running instances: each labeller is a loop with its own account and
// session cookie, taking a pair (POST /api/label/next) and then labelling again and again (each label's answer leases
// the next pair), no think time. Records, per instance, every request's latency and status; in total, every label
// acknowledged (by its id) and which labellers each pair was leased to.
import { randomUUID } from "node:crypto";
import http from "node:http";
import { performance } from "node:perf_hooks";
import seedrandom from "seedrandom";

export interface Labeller {
  name: string;
  cookie: string;
  /** Index of the instance this labeller is sent to. */
  home: number;
}

export interface InstanceStats {
  base: string;
  /** Latency of every answered request (next and label), ms. */
  latency: number[];
  labels: number;
  requests: number;
  /** "next 503", "label socket ECONNREFUSED", ... */
  errors: Map<string, number>;
}

/** The first requests an instance answered after a moment (a restart), to time them. */
export interface FirstAnswers {
  since: number;
  want: number;
  answers: { sentAt: number; ms: number; status: number | string }[];
}

export class LoadRun {
  readonly instances: InstanceStats[];
  readonly acked = new Map<string, string>();
  readonly leasedTo = new Map<string, Set<string>>();
  emptyQueue = 0;
  /** Instances out of rotation (being restarted): their labellers go to the first instance up, as a load balancer would. */
  readonly down = new Set<number>();
  /** Instances back in rotation with a slow start: since when, over how long (see rampIn). */
  private readonly ramps = new Map<number, { since: number; ms: number }>();
  /** Each labeller's place among those of its home instance (0, 1, ...): the order a slow start lets them back. */
  private readonly rank = new Map<string, { r: number; of: number }>();
  readonly watches = new Map<number, FirstAnswers>();
  private readonly agents: http.Agent[];
  private stopAt = 0;

  constructor(
    bases: string[],
    private readonly experimentId: string,
    seed = "load",
  ) {
    this.instances = bases.map((base) => ({ base, latency: [], labels: 0, requests: 0, errors: new Map() }));
    this.agents = bases.map(() => new http.Agent({ keepAlive: true, maxSockets: 1000 }));
    this.rand = seedrandom(seed);
  }
  private readonly rand: () => number;

  /** Records the first `want` requests sent to instance `i` from now on. */
  watch(i: number, want = 15): FirstAnswers {
    const w: FirstAnswers = { since: performance.now(), want, answers: [] };
    this.watches.set(i, w);
    return w;
  }

  /**
   * Puts instance `i` back in rotation. With `ms` > 0, a slow start (HAProxy's `slowstart`, Envoy's slow start window):
   * its labellers come back one by one, evenly over `ms` (the first at once, the last at (n-1)/n of it), the others
   * staying where the load balancer sent them meanwhile. With 0, all of them at once.
   */
  rampIn(i: number, ms: number): void {
    this.down.delete(i);
    if (ms > 0) this.ramps.set(i, { since: performance.now(), ms });
    else this.ramps.delete(i);
  }

  /** Runs `labellers` for `ms` milliseconds. */
  async run(labellers: Labeller[], ms: number): Promise<void> {
    for (let i = 0; i < this.instances.length; i++) {
      const home = labellers.filter((l) => l.home === i);
      home.forEach((l, r) => this.rank.set(l.name, { r, of: home.length }));
    }
    this.stopAt = performance.now() + ms;
    await Promise.all(labellers.map((l) => this.loop(l)));
  }

  /** Ends the run early: every labeller stops after its request in flight. */
  stop(): void {
    this.stopAt = 0;
  }

  private target(l: Labeller): number {
    const home = l.home;
    const ramp = this.ramps.get(home);
    const rank = this.rank.get(l.name);
    const waiting = ramp && rank && performance.now() - ramp.since < (ramp.ms * rank.r) / rank.of;
    if (!this.down.has(home) && !waiting) return home;
    for (let i = 0; i < this.instances.length; i++) if (i !== home && !this.down.has(i)) return i;
    return home;
  }

  private async loop(l: Labeller): Promise<void> {
    let pairId: string | null = null;
    while (performance.now() < this.stopAt) {
      const i = this.target(l);
      const inst = this.instances[i];
      const kind: "label" | "next" = pairId ? "label" : "next";
      const labelId = randomUUID();
      const body = pairId ? { labelId, choice: this.rand() < 0.5 ? "left" : "right", responseMs: 1500 } : { experimentId: this.experimentId };
      const path = pairId ? `/api/pairs/${pairId}/label` : "/api/label/next";
      const sentAt = performance.now();
      inst.requests++;
      const res = await post(this.agents[i], inst.base, path, l.cookie, body);
      const ms = performance.now() - sentAt;
      const watch = this.watches.get(i);
      if (watch && sentAt >= watch.since && watch.answers.length < watch.want) watch.answers.push({ sentAt, ms, status: res.status });
      const ok = kind === "label" ? res.status === 201 : res.status === 200;
      if (typeof res.status === "number") inst.latency.push(ms);
      if (!ok) {
        const key = `${kind} ${res.status}`;
        inst.errors.set(key, (inst.errors.get(key) ?? 0) + 1);
        pairId = null;
        // A refused connection (an instance restarting) is retried after a pause, not in a tight loop.
        if (typeof res.status !== "number" || res.status >= 500) await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const parsed = JSON.parse(res.body);
      if (kind === "label") {
        this.acked.set(labelId, l.name);
        inst.labels++;
      }
      pairId = (kind === "label" ? parsed.next?.pair?.pairId : parsed.pair?.pairId) ?? null;
      if (pairId) {
        const owners = this.leasedTo.get(pairId) ?? new Set<string>();
        owners.add(l.name);
        this.leasedTo.set(pairId, owners);
      } else {
        this.emptyQueue++;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** Pairs handed to more than one labeller (k = 1: a lease is held by one person at a time). */
  pairsLeasedTwice(): number {
    let n = 0;
    for (const owners of this.leasedTo.values()) if (owners.size > 1) n++;
    return n;
  }

  close(): void {
    for (const a of this.agents) a.destroy();
  }
}

function post(agent: http.Agent, base: string, path: string, cookie: string, body: unknown): Promise<{ status: number | string; body: string }> {
  const payload = JSON.stringify(body);
  const url = new URL(path, base);
  return new Promise((resolve) => {
    const req = http.request(
      url,
      {
        method: "POST",
        agent,
        timeout: 30_000,
        headers: { cookie, origin: base, "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", (err: NodeJS.ErrnoException) => resolve({ status: `socket ${err.code ?? err.message}`, body: "" }));
      },
    );
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
    req.on("error", (err: NodeJS.ErrnoException) => resolve({ status: `socket ${err.code ?? err.message}`, body: "" }));
    req.end(payload);
  });
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function latencyStats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: quantile(s, 0.5), p95: quantile(s, 0.95), p99: quantile(s, 0.99), max: s[s.length - 1] ?? NaN };
}
