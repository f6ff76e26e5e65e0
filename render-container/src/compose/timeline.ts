/**
 * The ad's timeline, pure: where each scene starts once neighbours overlap by the transition.
 * Computed once per job (by the planners' caller) and handed to every graph builder.
 */
import type { RenderJob } from "../contract.ts";

/** Scene start times in the output, the total duration and the effective transition length. */
export interface Timeline {
  starts: number[];
  total: number;
  /** Seconds neighbouring scenes overlap; 0 for a single scene. */
  transition: number;
}

/** Scene start times in the output and the total duration (transitions overlap neighbouring scenes). */
export function timeline(job: RenderJob): Timeline {
  const durations = job.scenes.map((s) => s.duration_s);
  const shortest = Math.min(...durations);
  // A transition can never be longer than half of the shortest scene.
  const transition = job.scenes.length > 1 ? Math.min(job.transition.duration_s, shortest / 2) : 0;
  const starts: number[] = [];
  let t = 0;
  for (const d of durations) {
    starts.push(t);
    t += d - transition;
  }
  return { starts, total: t + transition, transition };
}
