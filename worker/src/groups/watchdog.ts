/**
 * The watchdog: no generation stays `processing` forever.
 *
 * Progress is a save of the generation's state (every stage saves before and after its side
 * effects, and clips and compose save as they move). A generation that goes {@link watchdogMs}
 * without one is stalled, caught one of two ways:
 *
 * - in a running coordinator, by a timer per running stage ({@link StageWatchdog}), reset on each
 *   save: it aborts the stage with {@link StageStalled};
 * - after the coordinator was evicted or crashed (its run lost with its memory): the alarm it keeps
 *   at most `DEADMAN_MS` (30 s) ahead while generations run starts a new instance, which resumes
 *   from storage; one whose last save is a full period old counts as stalled ({@link lostRun}).
 *
 * Either way the stage is run again once (re-armed); stalled a second time, the generation fails
 * with the reason. A row whose coordinator lost it altogether is failed by the sweep
 * (groups/sweep.ts), run from the Worker's cron trigger.
 */
import { type Env, intVar } from "../env.ts";
import type { GenerationState } from "./state.ts";

/** How long a generation may go without progress (`WATCHDOG_S`, default 20 minutes). */
export const watchdogMs = (env: Env): number => intVar(env.WATCHDOG_S, 1200) * 1000;

/** Stalls a generation survives: the first re-runs its stage, the next fails it. */
export const WATCHDOG_REARMS = 1;

/** The abort reason of a stage the watchdog stopped. */
export class StageStalled extends Error {
  constructor(stage: string, ms: number) {
    super(`No progress in the ${stage} step for ${Math.round(ms / 1000)} s`);
    this.name = "StageStalled";
  }
}

/** True when `s` last saved a watchdog period ago or more: the run that was making it is gone. */
export const lostRun = (s: Pick<GenerationState, "progressAt">, ms: number, now = Date.now()): boolean =>
  s.progressAt !== undefined && now - s.progressAt >= ms;

/** One timer per running stage, pushed back by every save of its generation. */
export class StageWatchdog {
  private readonly running = new Map<
    string,
    { stage: string; controller: AbortController; timer: ReturnType<typeof setTimeout> | undefined }
  >();

  private readonly ms: () => number;

  /** `ms`: the period, read each time a timer is set. */
  constructor(ms: () => number) {
    this.ms = ms;
  }

  /** Watches generation `id`'s `stage`; stalled, it aborts `controller` with {@link StageStalled}. */
  watch(id: string, stage: string, controller: AbortController): void {
    this.stop(id);
    this.running.set(id, { stage, controller, timer: undefined });
    this.progressed(id);
  }

  /** Generation `id` made progress: its stage gets a full period again. */
  progressed(id: string): void {
    const entry = this.running.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    const ms = this.ms();
    entry.timer = setTimeout(() => entry.controller.abort(new StageStalled(entry.stage, ms)), ms);
  }

  /** The stage ended (or was taken over): no more timer. */
  stop(id: string): void {
    clearTimeout(this.running.get(id)?.timer);
    this.running.delete(id);
  }
}
