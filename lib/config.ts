// Process configuration, read from the environment once and validated with zod.
import { availableParallelism } from "node:os";
import { z } from "zod";

export type DatabaseKind = "sqlite" | "postgresql";

/** Which backend a DATABASE_URL selects: `file:` is SQLite, `postgres(ql)://` is PostgreSQL. */
export function databaseKind(url: string): DatabaseKind {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  throw new Error(`unsupported DATABASE_URL (want file:... or postgresql://...): ${redactUrl(url)}`);
}

/** The URL with its password masked, for logs and errors. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@");
}

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .min(1)
    .default("file:./data/oprl.db")
    .refine((url) => url.startsWith("file:") || /^postgres(ql)?:\/\//.test(url), {
      message: "must start with file: (SQLite) or postgresql:// (PostgreSQL)",
    }),
  /** Max connections in the PostgreSQL pool (ignored for SQLite: one connection per process). */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /**
   * Seals the session cookies (at least 32 characters). Unset: one is generated and kept in
   * ./data/session-secret (several app instances must share one: set it then).
   */
  SESSION_SECRET: z.string().min(32, "at least 32 characters").optional(),
  /** How long a session lasts after sign-in. */
  SESSION_TTL_HOURS: z.coerce
    .number()
    .min(0.01)
    .max(24 * 90)
    .default(24 * 7),
  /** First start with no admin: create one with this password (else a one-time setup link is printed). */
  ADMIN_PASSWORD: z
    .string()
    .min(8, "at least 8 characters")
    .refine((p) => Buffer.byteLength(p) <= 72, "at most 72 bytes (bcrypt ignores the rest)")
    .optional(),
  /** Normalised like every user name (trimmed, lower case). */
  ADMIN_NAME: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9_.@-]{2,40}$/, "2-40 letters, digits or _ . @ -")
    .default("admin"),
  /** bcrypt cost (2^cost rounds); 12 takes ~0.3 s in pure JS here. Tests lower it. */
  PASSWORD_HASH_COST: z.coerce.number().int().min(4).max(15).default(12),
  /**
   * How many password hashes run at once (each on its own worker thread; default half the cores, at least 1, so
   * the other half keeps serving requests), and how many more may wait; beyond
   * that a sign-in or invite is answered 429 at once, so signed-out requests cannot take every core.
   */
  PASSWORD_HASH_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(16)
    .default(Math.max(1, Math.floor(availableParallelism() / 2))),
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).max(10_000).default(32),
  /**
   * How many reverse proxies in front of the app append to X-Forwarded-For. 0 (default): the client is the
   * TCP peer and any X-Forwarded-For it sends is ignored. N: the address N entries from the right of
   * X-Forwarded-For (after the peer's own address is appended), as written by the nearest trusted proxy.
   */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  /**
   * Sign-ins and invite uses one process takes per second, from everyone together (bursts of twice that); beyond,
   * 429 at once before Next. Bounds what a flood from many addresses (which no per-address throttle sees) costs.
   */
  AUTH_REQUESTS_PER_SECOND: z.coerce.number().min(1).max(10_000).default(20),
  /** Largest JSON body an API route reads. */
  API_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .default(64 * 1024),
  /**
   * The address people use (default http://localhost:$PORT): printed in setup and invite links, and the origin
   * state-changing requests must come from when set (set it behind a proxy, with https).
   */
  APP_URL: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), "must start with http:// or https://")
    .optional(),
  /** How long a SQLite statement waits for another process's write lock before it gives up. */
  SQLITE_BUSY_TIMEOUT_MS: z.coerce.number().int().min(0).max(60_000).default(3000),
  /** How long an API request retries a busy, locked or briefly unreachable database before answering 503. */
  DB_RETRY_MS: z.coerce.number().int().min(0).max(60_000).default(6000),
  /** Experiments one account may have created (the demo and CLI-made ones do not count); 429 beyond. */
  EXPERIMENTS_PER_USER: z.coerce.number().int().min(1).max(1_000_000).default(100),
  /** Experiments one account may create per minute. */
  EXPERIMENTS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(10),
  /** Unused, unexpired invite and reset links one account may have made at once. */
  INVITES_PER_USER: z.coerce.number().int().min(1).max(100_000).default(50),
  /** Invite and reset links one account may make per minute. */
  INVITES_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(10),
  /**
   * Rounds one worker holds at once. One computes at a time; the others wait for people's labels (a human or
   * mixed round), so a round waiting hours for labels never keeps other experiments' rounds from running.
   */
  WORKER_MAX_ROUNDS: z.coerce.number().int().min(1).max(100).default(8),
  /**
   * The training worker's CPU priority (Linux nice, 0-19; default 19, the lowest): training is batch work, so on a machine it
   * shares with the web server, requests and labellers' screens win the CPU and a round waits instead.
   */
  WORKER_NICE: z.coerce.number().int().min(0).max(19).default(19),
  /**
   * At start, after the database warm-up, the instance sends itself the first labellers' requests over loopback
   * (lib/server/warm-http.ts) for up to this long, then reports ready (GET /api/health/ready). 0: no HTTP warm-up.
   */
  WARM_HTTP_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
  /** ...or until it has sent them this many times, whichever comes first. */
  WARM_HTTP_PASSES: z.coerce.number().int().min(1).max(10_000).default(30),
});

export type AppConfig = z.infer<typeof envSchema> & { databaseKind: DatabaseKind };

let cached: AppConfig | undefined;

/** The config from process.env, parsed on first use. A bad value fails fast, naming the variable. */
export function getConfig(): AppConfig {
  if (!cached) cached = parseConfig(process.env);
  return cached;
}

/** Forget the parsed config so the next getConfig() reads process.env again (tests that change a setting). */
export function resetConfigForTests(): void {
  cached = undefined;
}

export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  // An empty variable means "not set" (docker-compose and .env files produce those).
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid environment: ${lines.join("; ")}`);
  }
  return { ...result.data, databaseKind: databaseKind(result.data.DATABASE_URL) };
}
