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
   */
  async once<T>(
    key: string,
    owner: string,
    compute: () => Promise<T>,
    signal: AbortSignal,
  ): Promise<{ value: T; reused: boolean }> {
    // The in-flight entry is registered before the first await, so callers arriving in the
    // same tick share it instead of racing to compute.
    let entry = this.inflight.get(key) as Promise<{ owner: string; value: T }> | undefined;
    if (entry) {
      const result = await abortable(entry, signal);
      return { value: result.value, reused: result.owner !== owner };
    }
    entry = (async () => {
      const storageKey = `shared:${await sha256Hex(key)}`;
      const stored = await this.storage.get<{ owner: string; value: T }>(storageKey);
      if (stored) return stored;
      const result = { owner, value: await compute() };
      await this.storage.put(storageKey, result);
      return result;
    })();
    this.inflight.set(key, entry);
    try {
      const result = await entry;
      return { value: result.value, reused: result.owner !== owner };
    } finally {
      this.inflight.delete(key);
    }
  }

  /** Forgets every stored result `owner` computed (its media was deleted). */
  async forgetOwner(owner: string): Promise<void> {
    const stored = await this.storage.list<{ owner: string }>({ prefix: "shared:" });
    const mine = [...stored].filter(([, v]) => v.owner === owner).map(([k]) => k);
    if (mine.length) await this.storage.delete(mine);
  }
}
