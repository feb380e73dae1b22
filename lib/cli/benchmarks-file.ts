import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * BENCHMARKS.md is shared by every benchmark script: each owns the section between
 * `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->` and replaces only that.
 */
export function writeBenchmarkSection(name: string, body: string, file = path.join(process.cwd(), "BENCHMARKS.md")): string {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${start}\n${body}\n${end}`;
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n\nWritten by the bench scripts; each owns the section between its markers.\n";
  const a = current.indexOf(start);
  const b = current.indexOf(end);
  writeFileSync(file, a >= 0 && b > a ? current.slice(0, a) + block + current.slice(b + end.length) : `${current.trimEnd()}\n\n${block}\n`);
  return file;
}

/** The facts every benchmark section states about the machine it ran on. */
export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.replace(/\s+/g, " ").trim() ?? "unknown CPU",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString().slice(0, 10),
    // Other work on the machine shows up in the tails: say how busy it was.
    load: os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" / "),
  };
}
