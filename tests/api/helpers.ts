// Calling route handlers the way Next does: a Request, and params as a promise.
export const BASE = "http://localhost:3000";

export function req(path: string, init: { method?: string; body?: unknown; raw?: string; user?: string } = {}): Request {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (init.user) headers["x-user"] = init.user;
  return new Request(`${BASE}${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
}

export const ctx = (id: string) => ({ params: Promise.resolve({ id }) });

export async function body<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export const goodExperiment = (over: Record<string, unknown> = {}) => ({
  name: "API test maze",
  preset: "default",
  seed: 1,
  maze: { kind: "text", text: "S...\n.#..\n.#..\n...G" },
  shaping: { mode: "potential", beta: 0.5 },
  teacher: "oracle",
  labellingMode: "human",
  labelsPerPair: 1,
  episodesPerRound: 20,
  pairsPerRound: 6,
  pairSelection: "random",
  labelTimeLimitSec: 30,
  ...over,
});

/** The field paths of a 4xx body. */
export const fieldPaths = (b: any): string[] => (b.error?.details?.fields ?? []).map((f: { path: string }) => f.path).sort();
