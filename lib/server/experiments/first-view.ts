// What the experiment page shows first, read while the server renders it: the page then draws its charts as soon
// as its code runs, instead of fetching three answers after hydration (issue 10: page to charts within 1 s).
// The same functions and the same JSON the page's polls get, so the client's SWR caches start where polls go on;
// but only what the first screen draws. Everything here is in the HTML twice (as markup and as the data React
// hydrates with), so a long run's per-round history and reward-model steps (over half the bytes at 200 rounds)
// come with the page's first poll instead of delaying its first paint.
import "server-only";
import type { Db } from "../db/client";
import { isAppError } from "../errors";
import { listRounds } from "../training/rounds";
import { getDashboard } from "./dashboards";
import { getExperimentDto } from "./experiments";
import { labellerQuality } from "./labellers";
import type { ExperimentFirstView } from "../../contracts/dashboard";

/** The latest rounds the page is rendered with (the list of earlier rounds is folded; polls bring the rest). */
export const FIRST_VIEW_ROUNDS = 20;

/**
 * The experiment, its latest rounds, its dashboard's first screen and its labellers' quality as the API answers them
 * (plain JSON); null when there is no such experiment. The labellers' table is above the charts: drawn by the server
 * too, it does not push the server-drawn charts down when the page hydrates.
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
    // The first screen: the stats (last round), the episode curves and the labels. The per-round history and the
    // reward model's steps are drawn further down, once the page's first poll has brought them.
    const complete = dashboard.rounds.length <= 1 && dashboard.rewardUpdates.length === 0;
    const firstScreen = complete ? dashboard : { ...dashboard, rounds: dashboard.rounds.slice(-1), rewardUpdates: [] };
    const view: ExperimentFirstView = {
      experiment,
      rounds: rounds.slice(0, FIRST_VIEW_ROUNDS),
      dashboard: firstScreen,
      dashboardComplete: complete,
      labellers: { labellers },
    };
    // Exactly what a fetch would have parsed (dates as strings), so the caches hold one shape.
    return JSON.parse(JSON.stringify(view)) as ExperimentFirstView;
  } catch (err) {
    if (isAppError(err, "NOT_FOUND")) return null;
    throw err;
  }
}
