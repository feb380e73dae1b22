// The client address as the built server sees it (`next start` with the peer-address preload, as `npm start` runs
// it): a client-sent X-Forwarded-For never names the client unless TRUST_PROXY says a proxy wrote it; `next=` with a
// tab or newline neither redirects off-site nor gives a 500; without the preload the server refuses to start.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureBuild, freePort, signIn, startServer, type AppServer } from "../../scripts/app-server";

const ADMIN_PASSWORD = "client-address-admin-pw";
const env = { ADMIN_PASSWORD, OPRL_WORKER: "off", PASSWORD_HASH_COST: "4", SESSION_SECRET: "client-address-session-secret-0123456789" };
const dbFile = () => `/tmp/oprl-client-address-${process.pid}-${randomUUID().slice(0, 8)}.db`;

const tryName = (base: string, name: string, xff: string) =>
  fetch(`${base}/api/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base, "x-forwarded-for": xff },
    body: JSON.stringify({ name, password: "not-the-password" }),
  }).then((r) => r.status);

describe("client address through the built server", () => {
  const files: string[] = [];
  let server: AppServer | undefined;
  afterAll(async () => {
    await server?.stop();
    for (const f of files) for (const suffix of ["", "-wal", "-shm"]) rmSync(f + suffix, { force: true });
  });
  const start = async (extra: Record<string, string> = {}) => {
    await server?.stop();
    const file = dbFile();
    files.push(file);
    server = await startServer({ port: await freePort(), databaseUrl: `file:${file}`, env: { ...env, ...extra } });
    return server;
  };

  it("next= with a tab or a newline: signed in, the redirect stays on the site; never a 500", async () => {
    ensureBuild();
    const { base } = await start();
    const cookie = await signIn(base, "admin", ADMIN_PASSWORD);
    for (const next of ["/%09/evil.example", "/%0A/evil.example", "%2F%2Fevil.example", "/%5Cevil.example", "/%0D%0ASet-Cookie:x=y"]) {
      const res = await fetch(`${base}/sign-in?next=${next}`, { headers: { cookie }, redirect: "manual" });
      expect(res.status, next).toBeGreaterThanOrEqual(300);
      expect(res.status, next).toBeLessThan(400);
      const location = res.headers.get("location")!;
      expect(new URL(location, base).origin, `${next} -> ${location}`).toBe(base);
      expect(location).not.toMatch(/evil|[\t\r\n\\]/);
      const signedOut = await fetch(`${base}/sign-in?next=${next}`, { redirect: "manual" });
      expect(signedOut.status, next).toBe(200);
      // Signed out, the form is handed the fallback, not the hostile target (the page's own URL is echoed elsewhere).
      expect(await signedOut.text()).toContain('{\\"next\\":\\"/label\\"}');
    }
  });

  it("TRUST_PROXY unset: 31 sign-ins, each with a new forged X-Forwarded-For, still share one address and the 31st is 429", async () => {
    const { base } = server!;
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push(await tryName(base, `spray-${i}`, `10.1.${i}.7`));
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(401));
    expect(statuses[30]).toBe(429);
  });

  it("TRUST_PROXY=1: the entry the proxy wrote is the client, so distinct clients are counted apart", async () => {
    const { base } = await start({ TRUST_PROXY: "1" });
    const distinct: number[] = [];
    for (let i = 0; i < 31; i++) distinct.push(await tryName(base, `spray-${i}`, `10.2.${i}.7`));
    expect(distinct).toEqual(Array(31).fill(401));
    const same: number[] = [];
    for (let i = 0; i < 31; i++) same.push(await tryName(base, `spray-${i}`, `6.6.6.6, 10.3.0.7`));
    expect(same[30]).toBe(429);
  });

  it("started without the preload, the server exits with a message saying how to start it", async () => {
    await server?.stop();
    server = undefined;
    const file = dbFile();
    files.push(file);
    const bin = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
    const child = spawn(process.execPath, [bin, "start", "-H", "127.0.0.1", "-p", String(await freePort())], {
      env: { ...process.env, ...env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", DATABASE_URL: `file:${file}` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    // Next loads instrumentation on the first request (or at start): ask once so it does.
    const poke = setInterval(() => void fetch(`http://127.0.0.1:0`).catch(() => {}), 1000);
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        resolve(null);
      }, 60_000);
      child.once("exit", (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    clearInterval(poke);
    expect(code, out).toBe(1);
    expect(out).toContain("peer-address.cjs");
  });
});
