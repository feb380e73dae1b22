// The load test's load balancer (scripts/load/labellers.ts): an instance back in rotation with a slow start gets its
// labellers back one by one over the ramp; without one, all at once. Against two stand-in instances that lease and
// take labels as the app's routes answer them.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { LoadRun, type Labeller } from "../../scripts/load/labellers";

/** Answers like the label routes (a pair to label, then the next), slowly enough not to spin; records who came when. */
async function standIn() {
  const arrivals = new Map<string, number>();
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const who = String(req.headers.cookie);
      if (!arrivals.has(who)) arrivals.set(who, performance.now());
      const pair = { pairId: `p${++n}` };
      const body = req.url!.startsWith("/api/pairs/") ? { next: { pair } } : { pair };
      setTimeout(() => res.writeHead(req.url!.startsWith("/api/pairs/") ? 201 : 200, { "content-type": "application/json" }).end(JSON.stringify(body)), 20);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    arrivals,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const labellers: Labeller[] = Array.from({ length: 10 }, (_, i) => ({ name: `l${i}`, cookie: `c${i}`, home: i % 2 }));
const homedOnB = labellers.filter((l) => l.home === 1).map((l) => l.cookie);

let servers: Awaited<ReturnType<typeof standIn>>[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/** Instance B out of rotation, then back (ramp `rampMs`) after 300 ms; when each of its labellers first reached it. */
async function comeback(rampMs: number): Promise<{ back: number; at: number[] }> {
  const [a, b] = (servers = [await standIn(), await standIn()]);
  const run = new LoadRun([a.base, b.base], "exp", "slow-start");
  run.down.add(1);
  const running = run.run(labellers, 300 + rampMs + 600);
  await new Promise((r) => setTimeout(r, 300));
  const back = performance.now();
  run.rampIn(1, rampMs);
  await running;
  run.close();
  // While B was out, its labellers labelled on A.
  for (const c of homedOnB) expect(a.arrivals.get(c)).toBeLessThan(back);
  return { back, at: homedOnB.map((c) => b.arrivals.get(c)! - back) };
}

describe("the load test's load balancer", () => {
  it("a slow start lets the instance's labellers back one by one, evenly over the ramp", async () => {
    const { at } = await comeback(1500);
    expect(at.every(Number.isFinite)).toBe(true);
    // The i-th of 5 comes back at i/5 of the ramp, not before (plus the request it had in flight on A: 20 ms here,
    // 250 allowed on a busy machine).
    at.forEach((t, i) => {
      expect(t, `labeller ${i}`).toBeGreaterThanOrEqual((1500 * i) / 5 - 5);
      expect(t, `labeller ${i}`).toBeLessThan((1500 * i) / 5 + 250);
    });
  });

  it("without one, all of them come back in the same instant", async () => {
    const { at } = await comeback(0);
    expect(Math.max(...at)).toBeLessThan(250);
  });
});
