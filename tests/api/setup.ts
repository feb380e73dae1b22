// Each test file gets its own empty SQLite database, before any module reads DATABASE_URL.
import { randomUUID } from "node:crypto";

process.env.DATABASE_URL = `file:/tmp/oprl-api-test-${process.pid}-${randomUUID().slice(0, 8)}.db`;
