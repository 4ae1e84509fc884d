/**
 * A seeded pseudo-random generator, so that a scenario's fault schedule (which worker dies, when,
 * how long a paused process stays frozen, what each load worker does) is a function of one printed
 * seed: a failure names its seed and `MOORING_SEED=<seed>` replays the same schedule. The
 * interleavings the servers and the operating system choose still vary from run to run.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Counter): 128 bits of state, passes
 * PractRand, and needs nothing but 32-bit integer arithmetic.
 */

/** A random 32-bit seed, or the one `MOORING_SEED` names (decimal or 0x hex). */
export function chooseSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.MOORING_SEED;
  if (given !== undefined && given.trim() !== "") {
    const value = Number(given.trim());
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`MOORING_SEED must be a non-negative integer, got ${JSON.stringify(given)}`);
    return value >>> 0;
  }
  return Math.floor(Math.random() * 2 ** 32) >>> 0;
}

export class Prng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  /** `seed`: any integer; only its low 32 bits count. */
  constructor(seed: number) {
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = seed >>> 0;
    // Mix the seed through the state so that neighbouring seeds give unrelated streams.
    for (let i = 0; i < 16; i++) this.uint32();
  }

  /** The next 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.uint32() / 2 ** 32;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) throw new RangeError(`Prng.int needs integers min ≤ max, got ${min}, ${max}`);
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("Prng.pick of an empty array");
    return items[this.int(0, items.length - 1)] as T;
  }

  /** A generator for a sub-task (a worker), independent of this one's later draws. */
  fork(): Prng {
    return new Prng(this.uint32());
  }
}
