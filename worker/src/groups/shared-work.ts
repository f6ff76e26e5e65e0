/**
 * Work the variations of a group share: a specification that their settings do not change,
 * or a scene clip identical across them, is computed once. The first caller of a key
 * computes; concurrent callers wait for it; later callers read the stored result.
 */
import { sha256Hex } from "../lib/hash.ts";

/** Resolves like `promise`, or rejects as soon as `signal` aborts. */
const abortable = <T>(promise: Promise<T>, signal: AbortSignal): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    promise.then(resolve, reject);
  });

/** A stored result and the variation that computed it. */
interface Stored<T> {
  owner: string;
  value: T;
}

export class SharedWork {
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage) {
    this.storage = storage;
  }

  /**
   * Computes `key` once for the group. The result is stored with its owner, so the owner
   * re-running after a crash is not mistaken for a reuse (and billed nothing). Failures are
   * not remembered: a later caller computes again. Waiting on another variation's work
   * rejects as soon as `signal` aborts, so it never delays this variation's cancel.
   *
   * Another variation's work never costs this one a failure: when it fails or is cancelled
   * with its variation while this one waits, this one computes for itself. `usable` checks a
   * result another variation made before it is reused (e.g. that its media still exists); a
   * result that fails it is forgotten and computed again.
   */
  async once<T>(
    key: string,
    owner: string,
    compute: () => Promise<T>,
    signal: AbortSignal,
    usable?: (value: T) => Promise<boolean>,
  ): Promise<{ value: T; reused: boolean }> {
    // The in-flight entry is registered before the first await, so callers arriving in the
    // same tick share it instead of racing to compute.
    for (let joined = 0; ; joined++) {
      const running = this.inflight.get(key) as Promise<Stored<T>> | undefined;
      // Twice let down by others' work, this caller stops waiting on anyone.
      if (!running || joined === 2) return this.computeOnce(key, owner, compute, usable);
      try {
        const result = await abortable(running, signal);
        if (await this.reusable(result, owner, usable))
          return { value: result.value, reused: result.owner !== owner };
      } catch (err) {
        if (signal.aborted) throw err;
        // The other variation's work failed or was cancelled with it: this one does it itself.
      }
      if (this.inflight.get(key) === running) this.inflight.delete(key);
    }
  }

  /** Reads the stored result (if still reusable) or computes it, registered as in flight. */
  private async computeOnce<T>(
    key: string,
    owner: string,
    compute: () => Promise<T>,
    usable: ((value: T) => Promise<boolean>) | undefined,
  ): Promise<{ value: T; reused: boolean }> {
    const entry = (async (): Promise<Stored<T>> => {
      const storageKey = `shared:${await sha256Hex(key)}`;
      const stored = await this.storage.get<Stored<T>>(storageKey);
      if (stored && (await this.reusable(stored, owner, usable))) return stored;
      const result = { owner, value: await compute() };
      await this.storage.put(storageKey, result);
      return result;
    })();
    // Concurrent callers join the newest entry; an older one still finishing is not forgotten early.
    if (!this.inflight.has(key)) this.inflight.set(key, entry);
    try {
      const result = await entry;
      return { value: result.value, reused: result.owner !== owner };
    } finally {
      if (this.inflight.get(key) === entry) this.inflight.delete(key);
    }
  }

  /** A result may be reused when this caller made it, or nothing says it is gone. */
  private async reusable<T>(
    result: Stored<T>,
    owner: string,
    usable: ((value: T) => Promise<boolean>) | undefined,
  ): Promise<boolean> {
    return result.owner === owner || !usable || (await usable(result.value));
  }

  /** Forgets every stored result `owner` computed (its media was deleted). */
  async forgetOwner(owner: string): Promise<void> {
    const stored = await this.storage.list<{ owner: string }>({ prefix: "shared:" });
    const mine = [...stored].filter(([, v]) => v.owner === owner).map(([k]) => k);
    if (mine.length) await this.storage.delete(mine);
  }
}
