// The password pool: real bcrypt on worker threads, at most `concurrency` at once, a bounded queue, 429 beyond it,
// and the event loop free meanwhile (bcryptjs's async mode blocked it up to 100 ms at a time).
import { afterAll, describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import bcrypt from "bcryptjs";
import { PasswordPool, PoolFullError } from "@/lib/server/auth/password";

describe("password pool", () => {
  const pools: PasswordPool[] = [];
  const make = (c: number, q: number) => {
    const p = new PasswordPool(c, q);
    pools.push(p);
    return p;
  };
  afterAll(async () => {
    for (const p of pools) await p.close();
  });

  it("hashes and compares with real bcrypt", async () => {
    const pool = make(2, 4);
    const hash = await pool.run<string>({ op: "hash", password: "correct horse", cost: 4 });
    expect(bcrypt.compareSync("correct horse", hash)).toBe(true);
    expect(await pool.run<boolean>({ op: "compare", password: "correct horse", hash })).toBe(true);
    expect(await pool.run<boolean>({ op: "compare", password: "wrong horse", hash })).toBe(false);
  });

  it("runs at most `concurrency` at once, queues up to the bound, refuses the rest at once (the routes answer 429)", async () => {
    const pool = make(1, 2);
    const jobs = Array.from({ length: 5 }, () =>
      pool.run<string>({ op: "hash", password: "pw-pw-pw-pw", cost: 9 }).then(
        () => "done",
        (err) => (err instanceof PoolFullError ? "full" : `error ${err}`),
      ),
    );
    expect(pool.queued).toBe(2);
    const results = await Promise.all(jobs);
    expect(results).toEqual(["done", "done", "done", "full", "full"]);
    // The queue drained: new work is taken again.
    expect(await pool.run<string>({ op: "hash", password: "pw-pw-pw-pw", cost: 4 })).toMatch(/^\$2b\$04\$/);
  });

  it.runIf(process.platform === "linux")("hashes at a lower priority than the threads serving requests (nice 10)", async () => {
    const pool = make(1, 1);
    await pool.run({ op: "hash", password: "pw-pw-pw-pw", cost: 4 });
    // /proc/PID/task/TID/stat: field 19 is the nice value; the idle worker thread is still alive.
    const nice = readdirSync(`/proc/${process.pid}/task`).map((tid) => {
      const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, "utf8");
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
    });
    expect(nice).toContain(10);
    expect(nice).toContain(0);
  });

  it("keeps the event loop free while hashing", async () => {
    const pool = make(2, 4);
    const gaps: number[] = [];
    let last = performance.now();
    let ticking = true;
    const tick = () => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
      if (ticking) setTimeout(tick, 2);
    };
    setTimeout(tick, 2);
    await Promise.all([0, 1].map(() => pool.run({ op: "hash", password: "pw-pw-pw-pw", cost: 11 })));
    ticking = false;
    gaps.sort((a, b) => a - b);
    // On the main thread every gap would be ~100 ms (bcryptjs's slice); on threads the timer keeps its pace.
    expect(gaps.length).toBeGreaterThan(10);
    expect(gaps[Math.floor(gaps.length / 2)]).toBeLessThan(50);
  });
});
