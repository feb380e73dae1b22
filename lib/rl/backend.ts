import * as tf from "@tensorflow/tfjs";
import { createRequire } from "node:module";

export type BackendName = "tensorflow" | "wasm" | "cpu";
export type BackendChoice = BackendName | "auto";

let chosen: Promise<BackendName> | null = null;

/**
 * Picks the fastest tfjs backend that loads here: the native binding (optional dependency
 * @tensorflow/tfjs-node, absent where its install could not download libtensorflow), else WebAssembly,
 * else plain JavaScript. Runs once per process; every result reports the name it returns.
 */
export function initBackend(preferred: BackendChoice = "auto", log: (line: string) => void = () => {}): Promise<BackendName> {
  chosen ??= choose(preferred, log);
  return chosen;
}

async function choose(preferred: BackendChoice, log: (line: string) => void): Promise<BackendName> {
  const order: BackendName[] = preferred === "auto" ? ["tensorflow", "wasm", "cpu"] : [preferred];
  const failures: string[] = [];
  for (const name of order) {
    try {
      if (name === "tensorflow") {
        // Registers the "tensorflow" backend as a side effect; throws when the native library is missing.
        createRequire(import.meta.url)("@tensorflow/tfjs-node");
      } else if (name === "wasm") {
        await import("@tensorflow/tfjs-backend-wasm");
      }
      if (await tf.setBackend(name)) {
        await tf.ready();
        log(`tfjs backend: ${name}${failures.length ? ` (unavailable: ${failures.join("; ")})` : ""}`);
        return name;
      }
      failures.push(`${name}: setBackend refused`);
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message.split("\n")[0]}`);
    }
  }
  throw new Error(`no tfjs backend could be initialised: ${failures.join("; ")}`);
}
