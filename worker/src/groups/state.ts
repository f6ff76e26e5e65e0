/**
 * The coordinator's persisted state of one generation, and how it is shown to clients.
 * Stored in the Durable Object's SQLite storage under `gen:<id>`; every stage writes it
 * before and after its side effects.
 */
import type { Env } from "../env.ts";
import { signedMediaUrl } from "../lib/media-signing.ts";
import type { CostBreakdown } from "../pipeline/prices.ts";
import type { GenerationSettings } from "../pipeline/settings.ts";
import type { AdSpecification, ScenePlan } from "../pipeline/spec.ts";
import type { GenerationView, SceneView } from "./events.ts";

export const STAGES = ["enhance", "plan", "clips", "compose", "complete"] as const;
export type Stage = (typeof STAGES)[number] | "failed";

export interface ClipState {
  status: SceneView["status"];
  key: string | null;
  model: string | null;
  seconds: number;
  cost: number;
}

export interface GenerationState {
  id: string;
  userId: string;
  groupId: string;
  prompt: string;
  settings: GenerationSettings;
  seed: number;
  stage: Stage;
  status: GenerationView["status"];
  progress: number;
  currentStep: string | null;
  spec: AdSpecification | null;
  plan: ScenePlan | null;
  clips: ClipState[];
  costs: Omit<CostBreakdown, "total">;
  /** Failed tries of the current stage; reset when a stage completes. */
  stageAttempts: number;
  /** Do not retry before this time (backoff after a failure). */
  retryAt: number;
  cancelRequested: boolean;
  error: string | null;
  videoKey: string | null;
  thumbnailKey: string | null;
  startedAt: number | null;
  completedAt: number | null;
}

/** A new generation's state, before any stage ran. */
export function initialState(input: {
  id: string;
  userId: string;
  groupId: string;
  prompt: string;
  settings: GenerationSettings;
  seed: number;
}): GenerationState {
  return {
    ...input,
    stage: "enhance",
    status: "pending",
    progress: 0,
    currentStep: "Queued",
    spec: null,
    plan: null,
    clips: [],
    costs: { enhance: 0, plan: 0, clips: [], compose: 0 },
    stageAttempts: 0,
    retryAt: 0,
    cancelRequested: false,
    error: null,
    videoKey: null,
    thumbnailKey: null,
    startedAt: null,
    completedAt: null,
  };
}

export const isTerminal = (s: GenerationState) => s.status === "completed" || s.status === "failed";

/** Total cost so far. */
export function costSoFar(s: GenerationState): number {
  const c = s.costs;
  return Math.round((c.enhance + c.plan + c.clips.reduce((a, x) => a + x.cost, 0) + c.compose) * 1e6) / 1e6;
}

/** The client-facing view, with fresh signed URLs. */
export async function viewOf(env: Env, origin: string, s: GenerationState): Promise<GenerationView> {
  const sign = (key: string | null) => (key ? signedMediaUrl(env, origin, key) : Promise.resolve(null));
  const scenes = await Promise.all(
    (s.plan?.scenes ?? []).map(async (scene, i) => {
      const clip = s.clips[i];
      return {
        index: i,
        type: scene.type,
        status: clip?.status ?? "pending",
        overlay_text: scene.overlay.text,
        duration_s: scene.duration_s,
        clip_url: clip?.status === "ready" ? await sign(clip.key) : null,
      } satisfies SceneView;
    }),
  );
  return {
    generation_id: s.id,
    group_id: s.groupId,
    status: s.status,
    progress: s.progress,
    current_step: s.currentStep,
    scenes,
    cost: costSoFar(s),
    cost_breakdown: s.status === "completed" ? { ...s.costs, total: costSoFar(s) } : null,
    video_url: s.status === "completed" ? await sign(s.videoKey) : null,
    thumbnail_url: s.status === "completed" ? await sign(s.thumbnailKey) : null,
    error: s.error,
    started_at: s.startedAt,
    completed_at: s.completedAt,
  };
}
