import seedrandom from "seedrandom";

/**
 * The one source of randomness in lib/: environment generation, exploration, sampling of pairs,
 * synthetic teachers and network initialisation all draw from an Rng made from the run's seed.
 */
export class Rng {
  private readonly next: () => number;

  constructor(seed: number | string) {
    this.next = seedrandom.alea(String(seed));
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Rng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** A seed for a child generator or a tfjs initializer. */
  seed(): number {
    return this.int(2 ** 31 - 1);
  }

  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("Rng.choice: empty list");
    return items[this.int(items.length)];
  }

  /** k distinct items, uniformly, without replacement (partial Fisher-Yates). */
  sample<T>(items: readonly T[], k: number): T[] {
    if (k > items.length) throw new RangeError(`Rng.sample: k=${k} > ${items.length} items`);
    const copy = items.slice();
    for (let i = 0; i < k; i++) {
      const j = i + this.int(copy.length - i);
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy.slice(0, k);
  }

  /** Index drawn from unnormalised non-negative weights. */
  categorical(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i];
    let u = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return i;
    }
    return weights.length - 1;
  }
}
