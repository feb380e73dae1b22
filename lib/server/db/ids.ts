import "server-only";
import { getRandomValues } from "node:crypto";

/**
 * A version 7 uuid: time-ordered, so rows inserted together sit together in indexes and
 * sort in creation order. Within one millisecond a counter in the 12 "rand_a" bits keeps
 * ids of this process increasing (RFC 9562, method 1). Used where ids are needed before
 * inserting (bulk inserts); the schema's default makes the same kind.
 */
let lastMs = -1;
let sequence = 0;
export function uuidv7(now = Date.now()): string {
  const bytes = new Uint8Array(16);
  getRandomValues(bytes);
  if (now > lastMs) {
    lastMs = now;
    sequence = bytes[7] & 0x7f; // random start, leaving room to count up
  } else {
    sequence++;
    if (sequence > 0xfff) {
      lastMs++; // counter exhausted: borrow the next millisecond
      sequence = 0;
    }
  }
  let ms = lastMs;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
