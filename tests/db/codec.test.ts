import { describe, expect, it } from "vitest";
import {
  decodeActions,
  decodeCells,
  decodeFloat32,
  decodeRewards,
  decodeSteps,
  encodeActions,
  encodeCells,
  encodeFloat32,
  encodeRewards,
  encodeSteps,
} from "@/lib/server/db/codec";
import { uuidv7 } from "@/lib/server/db/ids";
import { AppError } from "@/lib/server/errors";

describe("trajectory codec", () => {
  it("round-trips actions, cells and rewards, with the documented byte layout", () => {
    const steps = { actions: [0, 1, 2, 3, 3], cells: [0, 1, 257, 65535, 12, 40000], rewards: [-0.01, 0.5, 0, -1.25, 1] };
    const encoded = encodeSteps(steps);
    expect(encoded.length).toBe(5);
    expect(Array.from(encoded.actions)).toEqual([0, 1, 2, 3, 3]);
    // uint16 little-endian: 257 = 0x0101, 65535 = 0xffff, 40000 = 0x9c40
    expect(Array.from(encoded.cells.slice(0, 8))).toEqual([0, 0, 1, 0, 1, 1, 0xff, 0xff]);
    expect(Array.from(encoded.cells.slice(10, 12))).toEqual([0x40, 0x9c]);
    // float32 little-endian: 0.5 = 0x3f000000
    expect(Array.from(encoded.rewards.slice(4, 8))).toEqual([0, 0, 0, 0x3f]);
    const decoded = decodeSteps(encoded);
    expect(decoded.actions).toEqual(steps.actions);
    expect(decoded.cells).toEqual(steps.cells);
    expect(decoded.rewards).toEqual(steps.rewards.map((r) => Math.fround(r)));
  });

  it("decodes from a view into a larger buffer (as drivers hand Bytes back)", () => {
    const cells = encodeCells([5, 6, 7]);
    const big = new Uint8Array(cells.length + 3);
    big.set(cells, 3);
    expect(decodeCells(big.subarray(3))).toEqual([5, 6, 7]);
    const rewards = encodeRewards([1.5, -2]);
    const big2 = new Uint8Array(rewards.length + 1);
    big2.set(rewards, 1);
    expect(decodeRewards(big2.subarray(1))).toEqual([1.5, -2]);
  });

  it("round-trips float32 weights", () => {
    const weights = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 10);
    expect(decodeFloat32(encodeFloat32(weights))).toEqual(weights);
    expect(decodeActions(encodeActions([]))).toEqual([]);
  });

  it("refuses what the layout cannot hold", () => {
    expect(() => encodeActions([4])).toThrow(AppError);
    expect(() => encodeActions([1.5])).toThrow(AppError);
    expect(() => encodeCells([65536])).toThrow(AppError);
    expect(() => encodeCells([-1])).toThrow(AppError);
    expect(() => encodeRewards([Number.NaN])).toThrow(AppError);
    expect(() => encodeSteps({ actions: [1], cells: [0], rewards: [0] })).toThrow(/visits 2 cells/);
    expect(() => encodeSteps({ actions: [1], cells: [0, 1], rewards: [] })).toThrow(/1 rewards/);
    expect(() => decodeCells(new Uint8Array(3))).toThrow(AppError);
    expect(() => decodeFloat32(new Uint8Array(6))).toThrow(AppError);
  });
});

describe("uuidv7", () => {
  it("is a version 7 uuid and increases within one millisecond", () => {
    const now = Date.now();
    const ids = Array.from({ length: 5000 }, () => uuidv7(now));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
