/**
 * A pool of render container instances, with admission control.
 *
 * - Each job is pinned to one instance for its whole life (staging, render, read-back, release),
 *   because staged files and outputs live on that instance's disk.
 * - A new job goes to the least-loaded warm instance that has a free slot; a cold (stopped)
 *   instance is started only when no warm one has; when every instance is full the job waits in
 *   the pool's first-in-first-out line until a slot frees, so no instance is given more jobs than
 *   its concurrency and a job never sits behind a long one on a busy instance while another frees.
 * - Load is what each instance reports on `/health` (`queue.running + queue.queued` against
 *   `queue.concurrency`; it counts every caller's jobs, cached for `healthTtlMs`) or what this pool
 *   has pinned there itself, whichever is larger: a burst of picks sees the same health figures, and
 *   the local count keeps it from sending the burst to one instance.
 * - An instance that fails its health check or drops a connection is left out for `downForMs`
 *   (`markDown`), so the stage's retry, which is a new job, lands on another instance.
 */

/** One render container instance as the pool sees it. */
export interface PoolMember {
  readonly name: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** True when the instance is running; asking must not start it. */
  isWarm(): Promise<boolean>;
}

/** What `/health` reports about an instance's job queue. */
export interface QueueLoad {
  running: number;
  queued: number;
  concurrency: number;
}

export interface PoolOptions {
  /** How long a health check may take before the instance counts as down (ms). */
  healthTimeoutMs?: number;
  /** How long a health answer is reused (ms). */
  healthTtlMs?: number;
  /** How long an instance that failed stays out of the pool (ms). */
  downForMs?: number;
  /** Slots assumed on an instance that has not reported its concurrency yet (a cold one). */
  defaultConcurrency?: number;
  /** A waiting job looks again this often even without a local release (other isolates' jobs end too). */
  recheckMs?: number;
  /** A pin older than this is dropped as leaked (a job's longest life), so it cannot hold a slot forever. */
  pinTtlMs?: number;
  now?: () => number;
}

/** How often a waiting job near the head of the line looks whether it was let go (ms). */
const WAKE_POLL_MS = 5;
/** How often one further back looks (ms), and how far back "near" reaches. */
const FAR_POLL_MS = 40;
const NEAR_HEAD = 8;

/** A job waiting for a slot; `woken` is set by whichever context gives it the turn. */
interface Waiter {
  woken: boolean;
}

interface Pin {
  member: PoolMember;
  at: number;
}

interface Seen {
  at: number;
  warm: boolean;
  load: QueueLoad | null;
}

export class RendererPool {
  readonly #members: readonly PoolMember[];
  readonly #pins = new Map<string, Pin>();
  /** Instance name → time until which it is left out. */
  readonly #down = new Map<string, number>();
  readonly #seen = new Map<string, Seen>();
  /** Jobs waiting for a slot, first in first out. */
  readonly #waiting: Waiter[] = [];
  /** The waiting job whose turn it is to pick (one at a time, in line order). */
  #turn: Waiter | null = null;
  /** A slot freed while a job held the turn. */
  #missedWake = false;
  /** When a waiting job was last given the turn (or the line formed). */
  #lastWake = 0;
  /** Jobs in line: waiting, or woken and looking for a slot. */
  #inLine = 0;
  readonly #opts: Required<Omit<PoolOptions, "now">>;
  readonly #now: () => number;

  constructor(members: readonly PoolMember[], options: PoolOptions = {}) {
    if (members.length === 0) throw new Error("a renderer pool needs at least one instance");
    this.#members = members;
    this.#opts = {
      healthTimeoutMs: options.healthTimeoutMs ?? 2000,
      healthTtlMs: options.healthTtlMs ?? 1000,
      downForMs: options.downForMs ?? 30_000,
      defaultConcurrency: options.defaultConcurrency ?? 1,
      recheckMs: options.recheckMs ?? 1000,
      pinTtlMs: options.pinTtlMs ?? 30 * 60_000,
    };
    this.#now = options.now ?? Date.now;
  }

  /** The instances. */
  get members(): readonly PoolMember[] {
    return this.#members;
  }

  /** Jobs waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** The pinned instance of a job, if any (no pick). */
  pinnedTo(jobId: string): PoolMember | undefined {
    return this.#pins.get(jobId)?.member;
  }

  /** Jobs pinned per instance. */
  pinnedCounts(): Record<string, number> {
    const counts = Object.fromEntries(this.#members.map((m) => [m.name, 0]));
    for (const { member } of this.#pins.values()) counts[member.name]! += 1;
    return counts;
  }

  /**
   * The instance a job is pinned to. On a job's first call, waits for a free slot (first come,
   * first served; `signal` gives up) and pins the job to the best instance. A `light` job (an
   * upload's probe: a second, and a person waiting on it) does not wait behind renders: with no
   * free slot it joins the least-loaded instance's own queue.
   */
  async memberFor(
    jobId: string,
    options: { signal?: AbortSignal | null; light?: boolean } = {},
  ): Promise<PoolMember> {
    const signal = options.signal ?? undefined;
    const pinned = this.#pins.get(jobId);
    if (pinned) return pinned.member;
    signal?.throwIfAborted();
    // Straight to an instance only when nobody is in line: a newcomer never overtakes.
    if (this.#inLine === 0 || options.light) {
      const member = await this.#pick(jobId, options.light);
      if (member) return member;
    }
    this.#inLine++;
    try {
      let inLine = this.#wait(signal, false);
      for (;;) {
        // This job's turn: one job in line picks at a time, so they get slots in line order.
        const turn = await inLine;
        let member: PoolMember | null;
        try {
          member = await this.#pick(jobId);
        } catch (error) {
          this.#endTurn(turn, true);
          throw error;
        }
        if (member) {
          // A slot for this job; the next one may try for another.
          this.#endTurn(turn, true);
          return member;
        }
        // Still full: back to the head of the line before the turn is given up.
        inLine = this.#wait(signal, true);
        this.#endTurn(turn, false);
      }
    } finally {
      this.#inLine--;
    }
  }

  /** Forgets a job's pin (at its release), freeing its slot for the first waiting job. */
  unpin(jobId: string): void {
    const pin = this.#pins.get(jobId);
    if (!pin) return;
    this.#pins.delete(jobId);
    // Its health figures counted this job: ask again rather than wait out the cache.
    this.#seen.delete(pin.member.name);
    this.#wakeNext();
  }

  /** Sends one request to a member; an instance found lost is left out of the next picks. */
  async send(member: PoolMember, path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await member.fetch(path, init);
    } catch (error) {
      if (isInstanceLoss(error)) this.markDown(member.name);
      throw error;
    }
  }

  /** Leaves an instance out of new picks for a while. */
  markDown(name: string): void {
    this.#down.set(name, this.#now() + this.#opts.downForMs);
    this.#seen.delete(name);
  }

  /**
   * Gives the turn to the first waiting job (or notes that a slot freed while a job holds it).
   * Only a flag is set: the waiter may belong to another Durable Object or request in this isolate,
   * and workerd forbids one context to resolve promises or do I/O for another, so each waiter
   * notices on its own timer ({@link WAKE_POLL_MS}).
   */
  #wakeNext(): void {
    if (this.#turn) {
      this.#missedWake = true;
      return;
    }
    const next = this.#waiting.shift();
    if (!next) return;
    next.woken = true;
    this.#turn = next;
    this.#lastWake = this.#now();
  }

  /** Ends a job's turn; the next waiting job gets it when a slot may be free. */
  #endTurn(entry: Waiter, passOn: boolean): void {
    if (this.#turn !== entry) return;
    this.#turn = null;
    const missed = this.#missedWake;
    this.#missedWake = false;
    if (passOn || missed) this.#wakeNext();
  }

  /** Waits in line (at its end, or its head) until given the turn; resolves with it. */
  #wait(signal: AbortSignal | undefined, front: boolean): Promise<Waiter> {
    return new Promise<Waiter>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const entry: Waiter = { woken: false };
      let timer: ReturnType<typeof setTimeout> | undefined;
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", abort);
        const i = this.#waiting.indexOf(entry);
        if (i >= 0) this.#waiting.splice(i, 1);
      };
      const abort = () => {
        leave();
        // Given the turn and cancelled before taking it: the turn passes on.
        this.#endTurn(entry, true);
        reject(signal!.reason);
      };
      // This waiter's own timer, in its own context: it goes when given the turn. At the head of
      // the line with nobody holding the turn for a while, it takes it (other isolates' jobs end
      // without telling this pool).
      const look = () => {
        if (!this.#turn && this.#waiting[0] === entry && this.#now() - this.#lastWake >= this.#opts.recheckMs)
          this.#wakeNext();
        if (entry.woken) {
          leave();
          resolve(entry);
          return;
        }
        // Near the head it looks often; further back, where no turn can come yet, now and then.
        const near = this.#waiting.indexOf(entry) < NEAR_HEAD;
        timer = setTimeout(look, near ? WAKE_POLL_MS : FAR_POLL_MS);
      };
      signal?.addEventListener("abort", abort, { once: true });
      if (this.#waiting.length === 0) this.#lastWake = this.#now();
      if (front) this.#waiting.unshift(entry);
      else this.#waiting.push(entry);
      timer = setTimeout(look, WAKE_POLL_MS);
    });
  }

  async #observe(member: PoolMember): Promise<Seen> {
    const cached = this.#seen.get(member.name);
    if (cached && this.#now() - cached.at < this.#opts.healthTtlMs) return cached;
    const warm = await member.isWarm().catch(() => false);
    let load: QueueLoad | null = null;
    if (warm) {
      try {
        const res = await member.fetch("/health", {
          signal: AbortSignal.timeout(this.#opts.healthTimeoutMs),
        });
        const q = res.ok ? ((await res.json()) as { queue?: Partial<QueueLoad> }).queue : undefined;
        if (q && typeof q.concurrency === "number")
          load = { running: q.running ?? 0, queued: q.queued ?? 0, concurrency: Math.max(1, q.concurrency) };
      } catch {
        load = null;
      }
      if (!load) this.markDown(member.name);
    }
    const seen = { at: this.#now(), warm, load };
    if (!warm || load) this.#seen.set(member.name, seen);
    return seen;
  }

  /** Pins the job to the best instance with a free slot and returns it, or null when all are full. */
  async #pick(jobId: string, anySlot = false): Promise<PoolMember | null> {
    const now = this.#now();
    for (const [id, pin] of this.#pins) if (now - pin.at > this.#opts.pinTtlMs) this.#pins.delete(id);
    const notDown = this.#members.filter((m) => (this.#down.get(m.name) ?? 0) <= now);
    // All down: look at them all again rather than wait for one to come back.
    const up = notDown.length > 0 ? notDown : this.#members;
    const views = await Promise.all(up.map((m) => this.#observe(m)));
    // From here on everything is synchronous: the pin counts are read and the pin taken as one step.
    const raced = this.#pins.get(jobId);
    if (raced) return raced.member;
    const pinned = this.pinnedCounts();
    const warm: { member: PoolMember; free: number; share: number }[] = [];
    const cold: { member: PoolMember; free: number }[] = [];
    up.forEach((member, i) => {
      const v = views[i]!;
      if (v.warm && !v.load) return; // failed its health check just now
      const mine = pinned[member.name] ?? 0;
      if (v.load) {
        const busy = Math.max(v.load.running + v.load.queued, mine);
        warm.push({ member, free: v.load.concurrency - busy, share: busy / v.load.concurrency });
      } else cold.push({ member, free: this.#opts.defaultConcurrency - mine });
    });
    const best = warm.filter((w) => w.free > 0).sort((a, b) => a.share - b.share)[0];
    // No warm slot: a cold instance already starting for us first, then a stopped one.
    const chosen =
      best?.member ??
      cold.filter((c) => c.free > 0).sort((a, b) => a.free - b.free)[0]?.member ??
      (anySlot
        ? ([...warm].sort((a, b) => a.share - b.share)[0]?.member ?? up[0] ?? this.#members[0])
        : undefined);
    // Not one instance answers: take the first, so the job fails now with the connection's error
    // (and the stage retries or fails with a reason) instead of waiting in line for nothing.
    const unreachable = warm.length === 0 && cold.length === 0;
    if (!chosen && !unreachable) return null;
    const pick = chosen ?? up[0]!;
    this.#pins.set(jobId, { member: pick, at: now });
    return pick;
  }
}

/** True for failures that mean the instance itself is gone (connection refused or reset, no container). */
export function isInstanceLoss(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === "AbortError" || error.name === "TimeoutError") return false;
  return (
    error instanceof TypeError ||
    /network connection lost|connection (refused|reset)|container (is not running|not found|crashed)|ECONNREFUSED|ECONNRESET|socket hang up/i.test(
      error.message,
    )
  );
}
