// Each test file gets its own empty SQLite database, before any module reads DATABASE_URL, and a session secret;
// passwords are hashed at the lowest bcrypt cost to keep the suite fast.
import { randomUUID } from "node:crypto";

process.env.DATABASE_URL = `file:/tmp/oprl-api-test-${process.pid}-${randomUUID().slice(0, 8)}.db`;
process.env.SESSION_SECRET = "api-tests-session-secret-0123456789abcdef";
process.env.PASSWORD_HASH_COST = "4";
