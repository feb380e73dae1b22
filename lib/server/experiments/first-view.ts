// What the experiment page shows first, read while the server renders it: the page then draws its charts as soon
// as its code runs, instead of fetching three answers after hydration (issue 10: page to charts within 1 s).
// The same functions and the same JSON the page's polls get, so the client's SWR caches start where polls go on.
import "server-only";
import type { Db } from "../db/client";
import { isAppError } from "../errors";
import { listRounds } from "../training/rounds";
import { getDashboard } from "./dashboards";
import { getExperimentDto } from "./experiments";
import { labellerQuality } from "./labellers";
import type { ExperimentFirstView } from "../../contracts/dashboard";

/**
 * The experiment, its rounds, its dashboard and its labellers' quality as the API answers them (plain JSON); null
 * when there is no such experiment. The labellers' table is above the charts: drawn by the server too, it does not
 * push the server-drawn charts down when the page hydrates.
 */
export async function experimentFirstView(db: Db, id: string): Promise<ExperimentFirstView | null> {
  try {
    const [experiment, rounds, dashboard, labellers] = await Promise.all([
      getExperimentDto(db, id),
      listRounds(db, id),
      getDashboard(db, id),
      labellerQuality(db, id),
    ]);
    if ("unchanged" in dashboard) return null;
    // Exactly what a fetch would have parsed (dates as strings), so the caches hold one shape.
    return JSON.parse(JSON.stringify({ experiment, rounds, dashboard, labellers: { labellers } })) as ExperimentFirstView;
  } catch (err) {
    if (isAppError(err, "NOT_FOUND")) return null;
    throw err;
  }
}
