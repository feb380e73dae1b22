-- CreateTable
CREATE TABLE "EpisodeBucket" (
    "experimentId" TEXT NOT NULL,
    "round" INTEGER NOT NULL,
    "bucket" INTEGER NOT NULL,
    "firstEpisode" INTEGER NOT NULL,
    "episodes" INTEGER NOT NULL,
    "returnSum" REAL NOT NULL,
    "returnMin" REAL NOT NULL,
    "returnMax" REAL NOT NULL,
    "successes" INTEGER NOT NULL,
    "lengthSum" REAL NOT NULL,
    "policyLossSum" REAL NOT NULL,
    "policyLosses" INTEGER NOT NULL,
    "epsilonSum" REAL NOT NULL,

    PRIMARY KEY ("experimentId", "round", "bucket"),
    CONSTRAINT "EpisodeBucket_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Data: the episodes stored so far, summed per round and per 10 episode numbers (as round-metrics.ts writes them);
-- a row without the fields an episode metric has is left out, as the dashboards leave it out.
INSERT INTO "EpisodeBucket" ("experimentId", "round", "bucket", "firstEpisode", "episodes", "returnSum", "returnMin", "returnMax", "successes", "lengthSum", "policyLossSum", "policyLosses", "epsilonSum")
SELECT "experimentId", "round", "episode" / 10, MIN("episode"), COUNT(*), SUM("ret"), MIN("ret"), MAX("ret"), SUM("succ"), SUM("len"), COALESCE(SUM("pl"), 0), COUNT("pl"), SUM("eps")
FROM (
    SELECT "experimentId", "episode", json_extract("data", '$.round') AS "round", CAST(json_extract("data", '$.return') AS REAL) AS "ret",
        json_extract("data", '$.success') AS "succ", json_extract("data", '$.length') AS "len", json_extract("data", '$.policyLoss') AS "pl",
        json_extract("data", '$.epsilon') AS "eps"
    FROM "Metric" WHERE "kind" = 'episode' AND "episode" IS NOT NULL
) e
WHERE "round" IS NOT NULL AND "ret" IS NOT NULL AND "succ" IS NOT NULL AND "len" IS NOT NULL AND "eps" IS NOT NULL
GROUP BY "experimentId", "round", "episode" / 10;
