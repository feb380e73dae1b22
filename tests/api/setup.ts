// Each test file gets its own empty SQLite database, before any module reads DATABASE_URL, and a session secret;
// passwords are hashed at the lowest bcrypt cost to keep the suite fast.
import { randomUUID } from "node:crypto";

process.env.DATABASE_URL = `file:/tmp/oprl-api-test-${process.pid}-${randomUUID().slice(0, 8)}.db`;
process.env.SESSION_SECRET = "api-tests-session-secret-0123456789abcdef";
process.env.PASSWORD_HASH_COST = "4";
// The suites make experiments and links as a few fixture accounts far faster than a person could; the per-minute
// quotas would refuse them on a fast machine. The quota tests set their own limits (vi.stubEnv).
process.env.EXPERIMENTS_PER_MINUTE = "10000";
process.env.EXPERIMENTS_PER_USER = "100000";
process.env.INVITES_PER_MINUTE = "10000";
process.env.INVITES_PER_USER = "100000";
