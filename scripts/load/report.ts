// The load run's figures as text: a table per stretch (one row per instance and the total) and the check of
// acknowledged labels against the database.
import { errorsText, f1, ms, type PhaseFigures } from "./measure";

export function phaseTable(title: string, p: PhaseFigures): string[] {
  const rows = p.instances.map(
    (x, i) =>
      `| ${title}: instance ${i + 1} (${x.base}) | ${x.labels} | ${f1(x.labelsPerS)} | ${ms(x.latency.p50)} | ${ms(x.latency.p95)} | ${ms(x.latency.p99)} | ${x.appCpuMs === null ? "–" : f1(x.appCpuMs / Math.max(1, x.labels))} | | ${errorsText(x.errors)} |`,
  );
  const total = `| **${title}: total** | ${p.labels} | **${f1(p.labelsPerS)}** | ${ms(p.latency.p50)} | **${ms(p.latency.p95)}** | ${ms(p.latency.p99)} | ${f1(p.appCpuMsPerLabel)} | **${f1(p.dbCpuMsPerLabel)}** | ${errorsText(sumErrors(p.instances.map((x) => x.errors)))} |`;
  return p.instances.length > 1 ? [...rows, total] : [total.replace(": total", "")];
}

export const TABLE_HEAD = [
  "| run | labels | labels/s | p50 | p95 | p99 | app CPU ms/label | DB CPU ms/label | errors |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
];

export function jsonReport(p: PhaseFigures) {
  return {
    seconds: Number(p.seconds.toFixed(1)),
    labels: p.labels,
    labels_per_s: Number(p.labelsPerS.toFixed(1)),
    latency_ms: p.latency,
    app_cpu_ms_per_label: p.appCpuMsPerLabel,
    db_cpu_ms: p.dbCpuMs,
    db_cpu_ms_per_label: p.dbCpuMsPerLabel,
    empty_queue_answers: p.emptyQueue,
    instances: p.instances.map((x) => ({
      base: x.base,
      labels: x.labels,
      labels_per_s: Number(x.labelsPerS.toFixed(1)),
      latency_ms: x.latency,
      errors: x.errors,
      app_cpu_ms: x.appCpuMs,
    })),
  };
}

/** Errors of several instances added up by kind. */
export function sumErrors(all: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of all) for (const [k, v] of Object.entries(e)) out[k] = (out[k] ?? 0) + v;
  return out;
}
