/**
 * The CPU budget: at most RENDER_CONCURRENCY jobs (default: one per core the container sees) run at
 * once; the rest wait in FIFO order and can be cancelled while they wait. One job per core, not one
 * in all: a clip's synthesis keeps only about 1.3 cores busy (its filter graph runs on one thread),
 * so two at once on 2 cores make an offline generation's four clips in ~8.5 s instead of ~10.5 s
 * (the pipeline's clip stage, measured), and two composes at once share the cores at about the same
 * total throughput as one after the other. The cores are what the process may run on (a VM's
 * vCPUs); where a CPU quota is smaller than that (a cgroup limit), set RENDER_CONCURRENCY to it.
 */
import { availableParallelism } from "node:os";
import { JobError } from "./errors.ts";

interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** A FIFO semaphore. */
export class JobQueue {
  readonly concurrency: number;
  #running = 0;
  #waiting: Waiter[] = [];

  constructor(concurrency: number) {
    this.concurrency = Math.max(1, Math.floor(concurrency));
  }

  /** Jobs running now. */
  get running(): number {
    return this.#running;
  }

  /** Jobs waiting for a slot. */
  get queued(): number {
    return this.#waiting.length;
  }

  /**
   * Runs `task` when a slot is free. `onQueued` is told the job's position when it has to wait.
   * An abort while waiting removes the job and rejects with `cancelled`.
   */
  async run<T>(
    task: () => Promise<T>,
    opts: { signal?: AbortSignal; onQueued?: (position: number) => void } = {},
  ): Promise<T> {
    if (opts.signal?.aborted) throw new JobError("cancelled", "Cancelled");
    if (this.#running >= this.concurrency) {
      opts.onQueued?.(this.#waiting.length + 1);
      await new Promise<void>((resolve, reject) => {
        const entry: Waiter = { resolve, reject };
        if (opts.signal) {
          entry.signal = opts.signal;
          entry.onAbort = () => {
            this.#waiting = this.#waiting.filter((e) => e !== entry);
            reject(new JobError("cancelled", "Cancelled"));
          };
          opts.signal.addEventListener("abort", entry.onAbort, { once: true });
        }
        this.#waiting.push(entry);
      });
    } else {
      this.#running++;
    }
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) {
        // Hand the slot over directly: `running` stays the same.
        if (next.onAbort) next.signal?.removeEventListener("abort", next.onAbort);
        next.resolve();
      } else {
        this.#running--;
      }
    }
  }
}

/** Concurrency from RENDER_CONCURRENCY (default: the cores this process may use). */
export function concurrencyFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  cores: number = availableParallelism(),
): number {
  const n = Number(env.RENDER_CONCURRENCY ?? cores);
  return Number.isFinite(n) && n >= 1 ? n : 1;
}
