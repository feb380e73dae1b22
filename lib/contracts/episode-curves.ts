// What the dashboard's episode curves are drawn with, shared by the server that computes them and the page that
// describes them. Its own module without zod: the experiment page imports it, and a module that builds zod schemas
// would add zod (~110 KB) to that page's JavaScript (eslint.config.mjs keeps it so).

/** The episode curves' moving average spans at least this many episodes. */
export const MOVING_AVERAGE_WINDOW = 20;
