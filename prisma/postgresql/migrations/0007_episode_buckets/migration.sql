-- CreateTable
CREATE TABLE "EpisodeBucket" (
    "experimentId" TEXT NOT NULL,
    "round" INTEGER NOT NULL,
    "bucket" INTEGER NOT NULL,
    "firstEpisode" INTEGER NOT NULL,
    "episodes" INTEGER NOT NULL,
    "returnSum" DOUBLE PRECISION NOT NULL,
    "returnMin" DOUBLE PRECISION NOT NULL,
    "returnMax" DOUBLE PRECISION NOT NULL,
    "successes" INTEGER NOT NULL,
    "lengthSum" DOUBLE PRECISION NOT NULL,
    "policyLossSum" DOUBLE PRECISION NOT NULL,
    "policyLosses" INTEGER NOT NULL,
    "epsilonSum" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "EpisodeBucket_pkey" PRIMARY KEY ("experimentId","round","bucket")
);

-- AddForeignKey
ALTER TABLE "EpisodeBucket" ADD CONSTRAINT "EpisodeBucket_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Data: the episodes stored so far, summed per round and per 10 episode numbers (as round-metrics.ts writes them);
-- a row without the fields an episode metric has is left out, as the dashboards leave it out.
INSERT INTO "EpisodeBucket" ("experimentId", "round", "bucket", "firstEpisode", "episodes", "returnSum", "returnMin", "returnMax", "successes", "lengthSum", "policyLossSum", "policyLosses", "epsilonSum")
SELECT "experimentId", "round", "episode" / 10, MIN("episode"), COUNT(*), SUM("ret"), MIN("ret"), MAX("ret"), SUM("succ"), SUM("len"), COALESCE(SUM("pl"), 0), COUNT("pl"), SUM("eps")
FROM (
    SELECT "experimentId", "episode", ("j"->>'round')::int AS "round", ("j"->>'return')::float8 AS "ret", ("j"->>'success')::boolean::int AS "succ",
        ("j"->>'length')::float8 AS "len", ("j"->>'policyLoss')::float8 AS "pl", ("j"->>'epsilon')::float8 AS "eps"
    FROM (SELECT "experimentId", "episode", "data"::jsonb AS "j" FROM "Metric" WHERE "kind" = 'episode' AND "episode" IS NOT NULL) m
) e
WHERE "round" IS NOT NULL AND "ret" IS NOT NULL AND "succ" IS NOT NULL AND "len" IS NOT NULL AND "eps" IS NOT NULL
GROUP BY "experimentId", "round", "episode" / 10;
