/**
 * The stages of one generation, in order. Each advances the state by one stage, persisting
 * through `ctx.save()` before and after its side effects, and is safe to run again after a
 * crash at any point: finished clips are found in R2, predictions in the clip journal.
 * The coordinator (groups/group-coordinator.ts) decides when a stage runs; these decide what
 * it does.
 */
import { clips } from "./clips.ts";
import { complete } from "./complete.ts";
import { compose } from "./compose.ts";
import { enhance } from "./enhance.ts";
import { keyframes } from "./keyframes.ts";
import { plan } from "./plan.ts";

export type { Stage, StageContext } from "./context.ts";
export { clips, complete, compose, enhance, keyframes, plan };

/** The stage functions by name. */
export const STAGE_RUNNERS = { enhance, plan, keyframes, clips, compose, complete } as const;
