// Byte layouts of the Bytes columns. Little-endian everywhere, written through DataView so
// the layout does not depend on the machine's byte order.
//
//   Trajectory.actions  one byte per action (0-3)
//   Trajectory.cells    cells visited, start included: uint16 LE (so length + 1 of them)
//   Trajectory.rewards  one float32 LE per step
//   Checkpoint weights  float32 LE, flat (shapes live in the checkpoint's meta JSON)
import "server-only";
import { AppError } from "../errors";

export const MAX_ACTION = 3;
export const MAX_CELL = 0xffff;

export function encodeActions(actions: ArrayLike<number>): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(actions.length);
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i];
    if (!Number.isInteger(a) || a < 0 || a > MAX_ACTION) {
      throw new AppError("VALIDATION", `action ${i} is ${a}: actions are integers 0-${MAX_ACTION}`);
    }
    out[i] = a;
  }
  return out;
}

export function decodeActions(bytes: Uint8Array): number[] {
  return Array.from(bytes);
}

export function encodeCells(cells: ArrayLike<number>): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(cells.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (!Number.isInteger(c) || c < 0 || c > MAX_CELL) {
      throw new AppError("VALIDATION", `cell ${i} is ${c}: cells are integers 0-${MAX_CELL}`);
    }
    view.setUint16(i * 2, c, true);
  }
  return out;
}

export function decodeCells(bytes: Uint8Array): number[] {
  if (bytes.byteLength % 2 !== 0) throw new AppError("VALIDATION", "cells bytes: odd length, not uint16 values");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<number>(bytes.byteLength / 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getUint16(i * 2, true);
  return out;
}

export function encodeFloat32(values: ArrayLike<number>): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || Number.isNaN(v)) throw new AppError("VALIDATION", `value ${i} is not a number`);
    view.setFloat32(i * 4, v, true);
  }
  return out;
}

export function decodeFloat32(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new AppError("VALIDATION", "float32 bytes: length is not a multiple of 4");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

export const encodeRewards = encodeFloat32;
export function decodeRewards(bytes: Uint8Array): number[] {
  return Array.from(decodeFloat32(bytes));
}

/** A trajectory as the engine produces it (and as the dataset export writes it). */
export type TrajectorySteps = {
  actions: number[];
  /** Cells visited, start included: actions.length + 1 of them. */
  cells: number[];
  /** Reward of each step: actions.length of them. */
  rewards: number[];
};

export type EncodedSteps = {
  actions: Uint8Array<ArrayBuffer>;
  cells: Uint8Array<ArrayBuffer>;
  rewards: Uint8Array<ArrayBuffer>;
  length: number;
};

/** Encodes the three arrays after checking they describe the same number of steps. */
export function encodeSteps(steps: TrajectorySteps): EncodedSteps {
  const length = steps.actions.length;
  if (steps.cells.length !== length + 1) {
    throw new AppError("VALIDATION", `a trajectory of ${length} actions visits ${length + 1} cells (start included), got ${steps.cells.length}`);
  }
  if (steps.rewards.length !== length) {
    throw new AppError("VALIDATION", `a trajectory of ${length} actions has ${length} rewards, got ${steps.rewards.length}`);
  }
  return {
    actions: encodeActions(steps.actions),
    cells: encodeCells(steps.cells),
    rewards: encodeRewards(steps.rewards),
    length,
  };
}

export function decodeSteps(row: { actions: Uint8Array; cells: Uint8Array; rewards: Uint8Array }): TrajectorySteps {
  return { actions: decodeActions(row.actions), cells: decodeCells(row.cells), rewards: decodeRewards(row.rewards) };
}
