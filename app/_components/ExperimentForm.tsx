"use client";
// Create an experiment. The browser checks the fields with the same zod schema the API uses, and shows the
// server's field errors the same way if it still refuses.
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { TEACHER_KINDS } from "@/lib/labelers";
import { DEFAULT_LAYOUT_TEXT, LayoutError, layoutToText, parseLayout, randomLayout } from "@/lib/maze/layout";
import { SHAPING_MODES } from "@/lib/rl/config";
// The form validates with the API's own schema, so this page does load zod (it is the only one that should).
// eslint-disable-next-line no-restricted-imports
import { createExperimentSchema, DEFAULT_EXPERIMENT_INPUT, LABELLING_MODES, PAIR_SELECTIONS } from "@/lib/contracts/experiment";
import { ApiError, byPath, send } from "./api";
import { gridFromText } from "./maze";
import { MazeView } from "./MazeView";
import { colors } from "./theme";
import type { ExperimentDto } from "@/lib/contracts/experiment";

type Form = Record<string, string>;

const INITIAL: Form = {
  name: "",
  preset: DEFAULT_EXPERIMENT_INPUT.preset,
  seed: String(DEFAULT_EXPERIMENT_INPUT.seed),
  mazeKind: "text",
  mazeText: DEFAULT_LAYOUT_TEXT,
  rows: "8",
  cols: "8",
  mazeSeed: "1",
  wallDensity: "0.25",
  shapingMode: DEFAULT_EXPERIMENT_INPUT.shaping.mode,
  beta: String(DEFAULT_EXPERIMENT_INPUT.shaping.beta),
  teacher: DEFAULT_EXPERIMENT_INPUT.teacher,
  labellingMode: DEFAULT_EXPERIMENT_INPUT.labellingMode,
  labelsPerPair: String(DEFAULT_EXPERIMENT_INPUT.labelsPerPair),
  episodesPerRound: String(DEFAULT_EXPERIMENT_INPUT.episodesPerRound),
  pairsPerRound: String(DEFAULT_EXPERIMENT_INPUT.pairsPerRound),
  pairSelection: DEFAULT_EXPERIMENT_INPUT.pairSelection,
  labelBudget: DEFAULT_EXPERIMENT_INPUT.labelBudget === null ? "" : String(DEFAULT_EXPERIMENT_INPUT.labelBudget),
  labelTimeLimitSec: String(DEFAULT_EXPERIMENT_INPUT.labelTimeLimitSec),
  teacherAfterSec: String(DEFAULT_EXPERIMENT_INPUT.teacherAfterSec),
  goldRate: String(DEFAULT_EXPERIMENT_INPUT.goldRate),
};

/** "" stays missing (so the schema says the field is required); anything else becomes a number, NaN included. */
const num = (s: string) => (s.trim() === "" ? undefined : Number(s));

function toInput(f: Form) {
  return {
    name: f.name,
    preset: f.preset,
    seed: num(f.seed),
    maze:
      f.mazeKind === "text"
        ? { kind: "text", text: f.mazeText }
        : { kind: "random", rows: num(f.rows), cols: num(f.cols), seed: num(f.mazeSeed), wallDensity: num(f.wallDensity) },
    shaping: { mode: f.shapingMode, beta: num(f.beta) },
    teacher: f.teacher,
    labellingMode: f.labellingMode,
    labelsPerPair: num(f.labelsPerPair),
    episodesPerRound: num(f.episodesPerRound),
    pairsPerRound: num(f.pairsPerRound),
    pairSelection: f.pairSelection,
    // Empty: no limit.
    labelBudget: f.labelBudget.trim() === "" ? null : Number(f.labelBudget),
    labelTimeLimitSec: num(f.labelTimeLimitSec),
    teacherAfterSec: num(f.teacherAfterSec),
    goldRate: num(f.goldRate),
  };
}

/** Zod says "expected number, received undefined"; people need "required". */
const friendly = (m: string) => (/received (undefined|NaN)/.test(m) ? "required: enter a number" : m);

export function ExperimentForm() {
  const router = useRouter();
  const [form, setForm] = useState<Form>(INITIAL);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [submitting, setSubmitting] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const set = (k: string) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));

  const preview = useMemo(() => {
    try {
      if (form.mazeKind === "text") return layoutToText(parseLayout(form.mazeText));
      return layoutToText(
        randomLayout({ rows: Number(form.rows), cols: Number(form.cols), seed: Number(form.mazeSeed), wallDensity: Number(form.wallDensity) }),
      );
    } catch (e) {
      return e instanceof LayoutError || e instanceof RangeError ? null : null;
    }
  }, [form.mazeKind, form.mazeText, form.rows, form.cols, form.mazeSeed, form.wallDensity]);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setFormError(null);
    const parsed = createExperimentSchema.safeParse(toInput(form));
    if (!parsed.success) {
      setErrors(byPath(parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: friendly(i.message) }))));
      return;
    }
    setErrors({});
    setSubmitting(true);
    try {
      const res = await send<{ experiment: ExperimentDto }>("/api/experiments", "POST", parsed.data);
      router.push(`/experiments/${res.experiment.id}`);
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) setErrors(byPath(err.fields));
      setFormError(err instanceof Error ? err.message : "could not create the experiment");
      setSubmitting(false);
    }
  }

  const field = (path: string) => (errors[path] ? { "aria-invalid": true, "aria-describedby": `err-${path}` } : {});
  const err = (path: string) =>
    errors[path] ? (
      <p id={`err-${path}`} className="mt-0.5 text-xs text-red-700" data-testid={`error-${path}`}>
        {errors[path]}
      </p>
    ) : null;
  const input = "w-full rounded border border-slate-300 bg-white px-2 py-1 text-sm aria-[invalid=true]:border-red-500";

  return (
    <form onSubmit={submit} noValidate className="grid gap-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-label="New experiment">
      <h2 className="font-semibold">New experiment</h2>
      <label className="text-sm">
        Name
        <input className={input} value={form.name} onChange={set("name")} name="name" {...field("name")} />
        {err("name")}
      </label>
      <div className="grid grid-cols-2 gap-3">
        <label className="text-sm">
          Preset
          <select className={input} value={form.preset} onChange={set("preset")} name="preset">
            <option value="default">default (actor-critic, potential shaping)</option>
            <option value="seed">seed (the original tutorial)</option>
          </select>
        </label>
        <label className="text-sm">
          Seed
          <input className={input} inputMode="numeric" value={form.seed} onChange={set("seed")} name="seed" {...field("seed")} />
          {err("seed")}
        </label>
      </div>

      <fieldset className="rounded border border-slate-200 p-2">
        <legend className="px-1 text-sm">Maze</legend>
        <div className="mb-2 flex gap-4 text-sm">
          {(["text", "random"] as const).map((k) => (
            <label key={k} className="flex items-center gap-1">
              <input type="radio" name="mazeKind" value={k} checked={form.mazeKind === k} onChange={set("mazeKind")} />
              {k === "text" ? "As text" : "Random with a seed"}
            </label>
          ))}
        </div>
        <div className="grid gap-3 sm:grid-cols-[1fr_auto]">
          {form.mazeKind === "text" ? (
            <label className="text-sm">
              <span className="text-xs text-slate-500">S start, G goal, # wall, . free</span>
              <textarea
                className={`${input} font-mono`}
                rows={8}
                value={form.mazeText}
                onChange={set("mazeText")}
                name="mazeText"
                spellCheck={false}
                {...field("maze.text")}
              />
              {err("maze.text")}
            </label>
          ) : (
            <div className="grid grid-cols-2 gap-2">
              {(
                [
                  ["rows", "Rows", "maze.rows"],
                  ["cols", "Columns", "maze.cols"],
                  ["mazeSeed", "Maze seed", "maze.seed"],
                  ["wallDensity", "Wall density", "maze.wallDensity"],
                ] as const
              ).map(([k, text, path]) => (
                <label key={k} className="text-sm">
                  {text}
                  <input className={input} value={form[k]} onChange={set(k)} name={k} {...field(path)} />
                  {err(path)}
                </label>
              ))}
            </div>
          )}
          {/* Drawn, not the text again: walls, start and goal as the labelling screen shows them. */}
          <div className="w-48 self-start" data-testid="maze-preview">
            {preview ? (
              <MazeView
                grid={gridFromText(preview)}
                cells={[gridFromText(preview).start]}
                step={0}
                color={colors.primary.DEFAULT}
                divergence={null}
                label="Maze preview"
              />
            ) : (
              <p className="rounded bg-slate-100 p-2 text-xs text-slate-600">(not a valid maze yet)</p>
            )}
          </div>
        </div>
      </fieldset>

      <div className="grid grid-cols-2 gap-3">
        <label className="text-sm">
          Shaping
          <select className={input} value={form.shapingMode} onChange={set("shapingMode")} name="shapingMode">
            {SHAPING_MODES.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        <label className="text-sm">
          Shaping weight β
          <input className={input} value={form.beta} onChange={set("beta")} name="beta" {...field("shaping.beta")} />
          {err("shaping.beta")}
        </label>
        <label className="text-sm">
          Synthetic teacher
          <select className={input} value={form.teacher} onChange={set("teacher")} name="teacher">
            {TEACHER_KINDS.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label className="text-sm">
          Labelling
          <select className={input} value={form.labellingMode} onChange={set("labellingMode")} name="labellingMode">
            {LABELLING_MODES.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        <label className="text-sm">
          Labels per pair
          <input className={input} value={form.labelsPerPair} onChange={set("labelsPerPair")} name="labelsPerPair" {...field("labelsPerPair")} />
          {err("labelsPerPair")}
        </label>
        <label className="text-sm">
          Episodes per round
          <input className={input} value={form.episodesPerRound} onChange={set("episodesPerRound")} name="episodesPerRound" {...field("episodesPerRound")} />
          {err("episodesPerRound")}
        </label>
        <label className="text-sm">
          Pairs per round
          <input className={input} value={form.pairsPerRound} onChange={set("pairsPerRound")} name="pairsPerRound" {...field("pairsPerRound")} />
          {err("pairsPerRound")}
        </label>
        <label className="text-sm">
          Label budget <span className="text-slate-500">(all rounds; empty = no limit)</span>
          <input className={input} value={form.labelBudget} onChange={set("labelBudget")} name="labelBudget" placeholder="no limit" {...field("labelBudget")} />
          {err("labelBudget")}
        </label>
        <label className="text-sm">
          Pair selection
          <select className={input} value={form.pairSelection} onChange={set("pairSelection")} name="pairSelection">
            {PAIR_SELECTIONS.map((m) => (
              <option key={m} value={m}>
                {m === "disagreement" ? "ensemble disagreement" : m}
              </option>
            ))}
          </select>
        </label>
        <label className="col-span-2 text-sm">
          Label time limit (s): a round waiting for people trains on what it has after this
          <input
            className={input}
            value={form.labelTimeLimitSec}
            onChange={set("labelTimeLimitSec")}
            name="labelTimeLimitSec"
            {...field("labelTimeLimitSec")}
          />
          {err("labelTimeLimitSec")}
        </label>
        <label className="text-sm">
          Mixed mode: the teacher labels a pair people left for (s)
          <input className={input} value={form.teacherAfterSec} onChange={set("teacherAfterSec")} name="teacherAfterSec" {...field("teacherAfterSec")} />
          {err("teacherAfterSec")}
        </label>
        <label className="text-sm">
          Gold pairs{" "}
          <span className="text-slate-500">(share of a labeller&apos;s pairs with a known answer, 0–0.5; they measure people, they do not train)</span>
          <input className={input} value={form.goldRate} onChange={set("goldRate")} name="goldRate" {...field("goldRate")} />
          {err("goldRate")}
        </label>
      </div>
      {formError && (
        <p role="alert" className="text-sm text-red-700">
          {formError}
        </p>
      )}
      <button type="submit" disabled={submitting} className="rounded bg-primary px-4 py-2 font-medium text-white hover:bg-primary-strong disabled:opacity-50">
        {submitting ? "Creating…" : "Create experiment"}
      </button>
    </form>
  );
}
