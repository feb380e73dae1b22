// Password hashing: bcrypt (pure-JS bcryptjs, no native build), cost from PASSWORD_HASH_COST.
import "server-only";
import bcrypt from "bcryptjs";
import { getConfig } from "../../config";

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, getConfig().PASSWORD_HASH_COST);
}

let dummy: Promise<string> | undefined;

/**
 * Checks a password against a stored hash. With no hash (unknown user, no password set) it still
 * runs one comparison, so the answer takes as long and does not tell which names exist.
 */
export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  if (!hash) {
    dummy ??= hashPassword("not a real password, only spends the time");
    await bcrypt.compare(password, await dummy);
    return false;
  }
  return bcrypt.compare(password, hash);
}
