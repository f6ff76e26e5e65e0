/**
 * What every stage is handed by the coordinator: the environment (bindings only), the
 * providers chosen once for the group, the abort signal of this run, and the coordinator's
 * persistence, broadcast, journal and shared-work hooks.
 */
import type { Env } from "../../env.ts";
import type { GenerationState } from "../../groups/state.ts";
import type { Logger } from "../../lib/log.ts";
import type { Providers } from "../../providers/index.ts";
import type { ClipJournal, KeyframeJournal, LlmJournal } from "../../providers/types.ts";

export interface StageContext {
  env: Env;
  /** Chosen once where the group starts (providers/index.ts); tests inject in-memory ones. */
  providers: Providers;
  signal: AbortSignal;
  log: Logger;
  /** Persists the state (DO storage, then D1) and broadcasts it. */
  save(state: GenerationState): Promise<void>;
  /** Broadcasts one scene's change. */
  sceneChanged(state: GenerationState, index: number): Promise<void>;
  journal(state: GenerationState, index: number): ClipJournal;
  /** Scene `index`'s keyframe prediction in flight, so a restart resumes it instead of paying again. */
  keyframeJournal(state: GenerationState, index: number): KeyframeJournal;
  /** The group's LLM requests in flight, so a restart resumes an answer instead of asking again. */
  llmJournal: LlmJournal;
  /** A link a provider can fetch an R2 object from (reference images). */
  publicMediaUrl(key: string): Promise<string>;
  /**
   * Work shared by the group's variations: the first caller of `key` computes, the others get
   * its value (`reused` true). Failures are not remembered, so a later caller computes again,
   * and a caller whose wait ends in another's failure or cancel computes itself. Another
   * variation's value is reused only if `usable` (when given) says it still is.
   */
  shared<T>(
    key: string,
    owner: string,
    compute: () => Promise<T>,
    usable?: (value: T) => Promise<boolean>,
  ): Promise<{ value: T; reused: boolean }>;
}

/** A stage: advances `state` by one stage, persisting through `ctx.save()`. */
export type Stage = (ctx: StageContext, state: GenerationState) => Promise<void>;
