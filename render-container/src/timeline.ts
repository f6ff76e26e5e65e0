/** The ad's timeline, pure: where each scene starts once neighbours overlap by the transition. */
import type { RenderJob } from "./contract.ts";

/** A number as filter-graph text: at most 4 decimals, no trailing zeros. */
export const num = (n: number) => Number(n.toFixed(4)).toString();

/** Scene start times in the output and the total duration (transitions overlap neighbouring scenes). */
export function timeline(job: RenderJob): { starts: number[]; total: number; transition: number } {
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
