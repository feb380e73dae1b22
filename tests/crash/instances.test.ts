// What running several instances asks of one built server (`next start`, each with its worker): start-up on one
// database by several instances at once, a start-up that cannot succeed (it must end the process with a message,
// never serve 500s), and clients that hang up mid-request (logged as such, not as a 500).
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuild, freePort, signIn, startServer, type AppServer } from "../../scripts/app-server";
import { throwawayPostgres, throwawaySqlite, type ThrowawayDatabase } from "../../scripts/throwaway-db";

const INSTANCES = 4;
const ENV = { SESSION_SECRET: "startup-test-secret-0123456789abcdef-0123" };
const backends: { name: string; create: () => Promise<ThrowawayDatabase> }[] = [{ name: "sqlite", create: async () => throwawaySqlite("startup") }];
if (process.env.TEST_POSTGRES_URL) backends.push({ name: "postgresql", create: () => throwawayPostgres(process.env.TEST_POSTGRES_URL!, "startup") });

/** Starts `n` instances on one database at the same moment. */
async function startTogether(n: number, databaseUrl: string, env: Record<string, string>): Promise<AppServer[]> {
  const ports = await Promise.all(Array.from({ length: n }, () => freePort()));
  return Promise.all(ports.map((port) => startServer({ port, databaseUrl, env: { ...ENV, ...env } })));
}

beforeAll(() => ensureBuild());

describe.each(backends)("$name: $name start-up", (backend) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const fn of cleanup.reverse()) await fn();
  });

  it(`${INSTANCES} instances started at once on a new database all serve, with one admin made once`, async () => {
    const database = await backend.create();
    cleanup.push(database.drop);
    const servers = await startTogether(INSTANCES, database.url, { ADMIN_PASSWORD: "startup-admin-pass" });
    cleanup.push(() => Promise.all(servers.map((s) => s.stop())).then(() => {}));
    const logs = servers.flatMap((s) => s.logs);
    expect(logs.filter((l) => l.includes("created the admin account"))).toHaveLength(1);
    expect(logs.filter((l) => /instrumentation hook|Unique constraint|\[start-up\]/.test(l))).toEqual([]);
    for (const server of servers) {
      const cookie = await signIn(server.base, "admin", "startup-admin-pass");
      const me = await fetch(`${server.base}/api/me`, { headers: { cookie } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ user: { name: "admin", role: "admin" } });
    }
  });

  it("without ADMIN_PASSWORD every instance started at once prints a setup link that works", async () => {
    const database = await backend.create();
    cleanup.push(database.drop);
    const servers = await startTogether(3, database.url, { OPRL_WORKER: "off" });
    cleanup.push(() => Promise.all(servers.map((s) => s.stop())).then(() => {}));
    const tokens = servers.map((s) => {
      const line = s.logs.find((l) => l.includes("no admin account yet"));
      expect(line, s.logs.join("\n")).toBeDefined();
      return /\/invite\/([A-Za-z0-9_-]+)/.exec(line!)![1];
    });
    expect(new Set(tokens).size).toBe(3);
    // Each printed link is live until one of them makes the admin; then none is.
    for (const [i, token] of tokens.entries()) {
      const page = await fetch(`${servers[i].base}/invite/${token}`);
      expect(page.status).toBe(200);
      expect(await page.text()).not.toContain("invite-invalid");
    }
    const made = await fetch(`${servers[0].base}/api/auth/invite`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: servers[0].base },
      body: JSON.stringify({ token: tokens[2], name: "root", password: "root-password-123" }),
    });
    expect(made.status).toBe(201);
    const late = await fetch(`${servers[1].base}/api/auth/invite`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: servers[1].base },
      body: JSON.stringify({ token: tokens[0], name: "root2", password: "root-password-123" }),
    });
    expect(late.status).toBe(404);
  });
});

describe("a start-up step that fails", () => {
  it("ends the process non-zero with a message naming the database, and never serves", async () => {
    const port = await freePort();
    const unreachable = `postgresql://nobody@127.0.0.1:${await freePort()}/none`;
    const error = await startServer({ port, databaseUrl: unreachable, env: { ...ENV, ADMIN_PASSWORD: "startup-admin-pass" } }).then(
      () => null,
      (err: Error) => err,
    );
    expect(error?.message).toMatch(/the server exited \(1\)/);
    expect(error?.message).toContain("[db] cannot open the database postgresql://");
    expect(error?.message).toContain(`127.0.0.1:`);
  });
});

describe("a client that hangs up mid-request", () => {
  it("is never answered or logged as a 500 by the app", async () => {
    const database = throwawaySqlite("abort");
    const port = await freePort();
    const server = await startServer({ port, databaseUrl: database.url, env: { ...ENV, ADMIN_PASSWORD: "startup-admin-pass", OPRL_WORKER: "off" } });
    try {
      for (let i = 0; i < 3; i++) {
        await new Promise<void>((resolve, reject) => {
          const socket = net.connect(port, "127.0.0.1", () => {
            // Promise 400 bytes of body, send 20, then vanish.
            socket.write(
              [
                "POST /api/auth/sign-in HTTP/1.1",
                `Host: 127.0.0.1:${port}`,
                `Origin: http://127.0.0.1:${port}`,
                "Sec-Fetch-Site: same-origin",
                "Content-Type: application/json",
                "Content-Length: 400",
                "",
                '{"name":"admin","pa',
              ].join("\r\n"),
            );
            setTimeout(() => {
              socket.destroy();
              resolve();
            }, 300);
          });
          socket.on("error", reject);
        });
      }
      await new Promise((r) => setTimeout(r, 1000));
      // Not answered as a 500 by the app: a body cut short while the route reads it, or a request abandoned later in a
      // handler, is logged by the route wrapper as closed, 499.
      expect(server.logs.filter((l) => /unexpected error|" 500 /.test(l))).toEqual([]);
      // And the server is fine.
      expect((await fetch(`${server.base}/sign-in`)).status).toBe(200);
    } finally {
      await server.stop();
      await database.drop();
    }
  });
});
