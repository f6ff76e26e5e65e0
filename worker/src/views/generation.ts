/**
 * The one read model of a generation: what every client sees of it, wherever it comes from.
 * `GET /api/status/:id`, `GET /api/generations/:id`, the library's rows, the comparison's
 * variations and every live event carry this same shape, built by {@link generationView}
 * from a {@link ViewSource}: the coordinator's state while it runs (live events), or the D1
 * row it mirrors (REST). Both hold the same fields, so the two views of one moment are equal.
 */

import { OVERLAY_POSITIONS, type QcReport, QcReportSchema } from "@promptreel/render-container/contract";
import { z } from "zod";
import {
  GENERATION_SOURCES,
  GENERATION_STATUSES,
  type GenerationSource,
  type generations,
} from "../db/schema.ts";
import type { Env } from "../env.ts";
import { signedMediaUrl } from "../lib/media-signing.ts";
import { type CostBreakdown, totalOf } from "../pipeline/prices.ts";
import { MAX_REFINEMENTS } from "../pipeline/rules.ts";
import { type GenerationSettings, GenerationSettingsSchema } from "../pipeline/settings.ts";
import { type AdSpecification, FrameworkSchema, type ScenePlan } from "../pipeline/spec.ts";

export const SCENE_STATUSES = ["pending", "rendering", "ready", "failed"] as const;

export const SceneViewSchema = z.object({
  index: z.number().int(),
  /** The scene's role in the framework: attention, problem, before, action, ... */
  type: z.string(),
  status: z.enum(SCENE_STATUSES),
  overlay_text: z.string(),
  duration_s: z.number(),
  /** What the video model is asked to show. */
  visual_prompt: z.string(),
  /** Signed, playable as soon as the clip exists. */
  clip_url: z.string().nullable(),
  /**
   * A still of the scene, signed: once the ad is finished, the scene's representative frame in it
   * (overlay shown, as the thumbnail); before, the clip's middle frame when its provider made one.
   * Null until the clip is ready, or when there is no still.
   */
  poster_url: z.string().nullable(),
  /** The storyboard keyframe (storyboard workflow), signed; null until drawn. */
  keyframe_url: z.string().nullable(),
  /** Where the overlay sits: top, center or bottom. */
  overlay_position: z.enum(OVERLAY_POSITIONS),
});
export type SceneView = z.infer<typeof SceneViewSchema>;

/** The parts of the ad specification a client draws: who, what, how it feels. */
export const SpecSummarySchema = z.object({
  product: z.string(),
  brand: z.string(),
  framework: FrameworkSchema,
  mood: z.string(),
  /** Brand colours, `#rrggbb`. */
  palette: z.array(z.string()),
  visual_style: z.string(),
  call_to_action: z.string(),
});
export type SpecSummary = z.infer<typeof SpecSummarySchema>;

export const CostBreakdownSchema = z.object({
  enhance: z.number(),
  plan: z.number(),
  keyframes: z.number(),
  clips: z.array(z.object({ scene: z.number(), model: z.string(), seconds: z.number(), cost: z.number() })),
  compose: z.number(),
  total: z.number(),
});

/** One finished version of an ad: the first render, then one per re-render after edits. */
export const VersionViewSchema = z.object({
  version: z.number().int().min(1),
  /** Signed links; every version stays downloadable. */
  video_url: z.string().nullable(),
  thumbnail_url: z.string().nullable(),
  /** USD this version spent (a re-render pays only for what changed). */
  cost: z.number(),
  /** Clips this version had rendered; the others were reused from earlier versions. */
  new_clips: z.number().int(),
  num_scenes: z.number().int(),
  /** Seconds of the ad. */
  duration_s: z.number(),
  completed_at: z.number(),
  /** The QC report measured on this version's file; null for versions made before QC existed. */
  qc: QcReportSchema.nullable(),
});
export type VersionView = z.infer<typeof VersionViewSchema>;

/**
 * Why a generation ended without a video: `cancelled` by its owner (status `cancelled`; also on
 * generations cancelled before that status existed, which ended `failed`), or `failed` (a stage
 * gave up).
 */
export const ERROR_CODES = ["cancelled", "failed"] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const GenerationViewSchema = z.object({
  generation_id: z.string(),
  group_id: z.string(),
  /** The variation's name in a comparison; null for a single generation. */
  label: z.string().nullable(),
  prompt: z.string(),
  /** `stitch`: composed from the user's own clips (no LLM, no video model); `prompt` otherwise. */
  source: z.enum(GENERATION_SOURCES),
  settings: GenerationSettingsSchema,
  /**
   * pending → processing → (storyboard →) processing → completed | failed | cancelled. A cancelled
   * one keeps `error` "Cancelled by user" (what clients that predate `cancelled` read).
   */
  status: z.enum(GENERATION_STATUSES),
  progress: z.number().int().min(0).max(100),
  current_step: z.string().nullable(),
  /** Set once the ad specification exists. */
  spec: SpecSummarySchema.nullable(),
  /** One per planned scene, in order; empty before planning. In storyboard status, the storyboard. */
  scenes: z.array(SceneViewSchema),
  num_scenes: z.number().int(),
  /** Scene refinements used and allowed. */
  refinements: z.object({ used: z.number().int(), limit: z.number().int() }),
  /** Storyboard edits so far; an edit may send it back (`revision`) to be refused if stale. */
  revision: z.number().int(),
  /**
   * The version this view is of: 1 for the first render; a finished ad reopened for editing is
   * at the next number (in `storyboard` status) while `versions` still lists the finished ones.
   */
  version: z.number().int().min(1),
  /** Finished versions, oldest first; the last is the default (`video_url`). */
  versions: z.array(VersionViewSchema),
  /** USD so far, every version included. */
  cost: z.number(),
  /** Per stage and per scene of the latest version; set once it completed. */
  cost_breakdown: CostBreakdownSchema.nullable(),
  video_url: z.string().nullable(),
  thumbnail_url: z.string().nullable(),
  /** The latest finished version's QC report (pass/warn with each check's figures); null before. */
  qc: QcReportSchema.nullable(),
  /** A message for people; `error_code` is what code compares. */
  error: z.string().nullable(),
  error_code: z.enum(ERROR_CODES).nullable(),
  created_at: z.number(),
  started_at: z.number().nullable(),
  completed_at: z.number().nullable(),
  /** Seconds from start to completion, one decimal; null until completed. */
  generation_time_s: z.number().nullable(),
});
export type GenerationView = z.infer<typeof GenerationViewSchema>;

/** One scene's clip as the coordinator tracks it. */
export interface ClipState {
  status: SceneView["status"];
  key: string | null;
  /** The clip's poster frame (JPEG) in R2; absent when the provider made none. */
  posterKey?: string | null;
  model: string | null;
  seconds: number;
  cost: number;
  /** What the clip shows, whatever its length (pipeline/clip-identity.ts); absent on older clips. */
  identity?: string;
  /** Seconds the clip lasts. */
  durationS?: number;
  /** Set when the clip was reused from that earlier version rather than rendered again. */
  fromVersion?: number;
}

/** One scene's storyboard keyframe. `identity` is what it was drawn from, to know when to redraw. */
export interface KeyframeState {
  status: SceneView["status"];
  key: string | null;
  identity: string | null;
  cost: number;
}

/** One finished version as the coordinator records it (in the state and the D1 row). */
export interface VersionRecord {
  version: number;
  videoKey: string;
  thumbnailKey: string | null;
  /** The plan and clips it was composed from: a later version reuses clips, a discarded draft restores them. */
  plan: ScenePlan;
  clips: ClipState[];
  /** What this version spent (a re-render only what changed). */
  costs: Omit<CostBreakdown, "total">;
  startedAt: number | null;
  completedAt: number;
  /** The QC report measured on this version's file; absent on versions made before QC. */
  qc?: QcReport | null;
  /** Each scene's poster in this version's finished ad (its representative frame, overlay shown). */
  scenePosterKeys?: string[];
}

/** Everything a view is built from; the coordinator's state and a D1 row both provide it. */
export interface ViewSource {
  id: string;
  groupId: string;
  label: string | null;
  prompt: string;
  /** Absent on states made before stitching existed: `prompt`. */
  source?: GenerationSource;
  settings: GenerationSettings;
  status: GenerationView["status"];
  progress: number;
  currentStep: string | null;
  spec: AdSpecification | null;
  plan: ScenePlan | null;
  clips: ClipState[];
  keyframes: KeyframeState[];
  refinements: number;
  revision: number;
  /** 1 until a finished ad is reopened for editing; absent on generations made before versions. */
  version?: number;
  /** Finished versions, oldest first; absent on generations made before versions. */
  versions?: VersionRecord[];
  costs: Omit<CostBreakdown, "total">;
  cancelRequested: boolean;
  error: string | null;
  videoKey: string | null;
  thumbnailKey: string | null;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
}

const NO_COSTS: Omit<CostBreakdown, "total"> = { enhance: 0, plan: 0, clips: [], compose: 0 };

type GenerationRow = typeof generations.$inferSelect;
const parsed = <T>(json: string | null): T | null => (json ? (JSON.parse(json) as T) : null);

/** The view source of a D1 row (which the coordinator keeps in step with its state). */
export function sourceFromRow(row: GenerationRow): ViewSource {
  const breakdown = parsed<CostBreakdown>(row.costBreakdown);
  const { total: _total, ...costs } = breakdown ?? { ...NO_COSTS, total: 0 };
  return {
    id: row.id,
    groupId: row.groupId,
    label: row.label,
    prompt: row.prompt,
    source: row.source,
    settings: JSON.parse(row.settings) as GenerationSettings,
    status: row.status,
    progress: row.progress,
    currentStep: row.currentStep,
    spec: parsed<AdSpecification>(row.spec),
    plan: parsed<ScenePlan>(row.scenePlan),
    clips: parsed<ClipState[]>(row.sceneClips) ?? [],
    keyframes: parsed<KeyframeState[]>(row.sceneKeyframes) ?? [],
    refinements: row.refinements,
    revision: row.revision,
    version: row.version,
    versions: parsed<VersionRecord[]>(row.versions) ?? [],
    costs,
    cancelRequested: row.cancellationRequested,
    error: row.error,
    videoKey: row.videoKey,
    thumbnailKey: row.thumbnailKey,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    completedAt: row.completedAt,
  };
}

/**
 * The finished versions of `s`. A generation finished before versions existed has none
 * recorded: its one finished render is version 1.
 */
export function finishedVersions(s: ViewSource): VersionRecord[] {
  if (s.versions?.length) return s.versions;
  if (s.status !== "completed" || !s.videoKey || !s.plan) return [];
  return [
    {
      version: 1,
      videoKey: s.videoKey,
      thumbnailKey: s.thumbnailKey,
      plan: s.plan,
      clips: s.clips,
      costs: s.costs,
      startedAt: s.startedAt,
      completedAt: s.completedAt ?? s.createdAt,
    },
  ];
}

/** USD spent on `s`: every finished version, plus what an open draft (or the first render) has spent so far. */
export function costSoFar(s: ViewSource): number {
  const finished = finishedVersions(s).reduce((sum, v) => sum + totalOf(v.costs), 0);
  return Math.round((finished + (s.status === "completed" ? 0 : totalOf(s.costs))) * 1e6) / 1e6;
}

function specSummary(spec: AdSpecification | null): SpecSummary | null {
  if (!spec) return null;
  return {
    product: spec.product,
    brand: spec.brand.name,
    framework: spec.framework,
    mood: spec.brand.mood,
    palette: spec.brand.colours,
    visual_style: spec.brand.visual_style,
    call_to_action: spec.call_to_action,
  };
}

/** What code compares for an ended generation (never the message). */
function errorCode(s: ViewSource): ErrorCode | null {
  if (s.status === "cancelled") return "cancelled";
  // Before `cancelled` was a status, a cancel ended `failed` with the flag set.
  if (s.status === "failed") return s.cancelRequested ? "cancelled" : "failed";
  return null;
}

/** The view of `s`, with signed media links for `origin`. */
export async function generationView(env: Env, origin: string, s: ViewSource): Promise<GenerationView> {
  const sign = (key: string | null) => (key ? signedMediaUrl(env, origin, key) : Promise.resolve(null));
  const completed = s.status === "completed";
  const versions = finishedVersions(s);
  const latest = versions.at(-1);
  // A finished ad's scenes are the latest version's: their posters are frames of it.
  const finishedPosters = completed ? (latest?.scenePosterKeys ?? []) : [];
  const scenes = await Promise.all(
    (s.plan?.scenes ?? []).map(async (scene, i): Promise<SceneView> => {
      const clip = s.clips[i];
      const keyframe = s.keyframes?.[i];
      const poster = finishedPosters[i] ?? clip?.posterKey ?? null;
      return {
        index: i,
        type: scene.type,
        status: clip?.status ?? "pending",
        overlay_text: scene.overlay.text,
        duration_s: scene.duration_s,
        visual_prompt: scene.visual_prompt,
        clip_url: clip?.status === "ready" ? await sign(clip.key) : null,
        poster_url: clip?.status === "ready" ? await sign(poster) : null,
        keyframe_url: keyframe?.status === "ready" ? await sign(keyframe.key) : null,
        overlay_position: scene.overlay.position,
      };
    }),
  );
  const versionViews = await Promise.all(
    versions.map(
      async (v): Promise<VersionView> => ({
        version: v.version,
        video_url: await sign(v.videoKey),
        thumbnail_url: await sign(v.thumbnailKey),
        cost: totalOf(v.costs),
        // Rendered for this version: every clip not taken from an earlier one.
        new_clips: v.clips.filter((c) => c.fromVersion === undefined).length,
        num_scenes: v.plan.scenes.length,
        duration_s: v.plan.target_duration_s,
        completed_at: v.completedAt,
        qc: v.qc ?? null,
      }),
    ),
  );
  const cost = costSoFar(s);
  return {
    generation_id: s.id,
    group_id: s.groupId,
    label: s.label,
    prompt: s.prompt,
    source: s.source ?? "prompt",
    settings: s.settings,
    status: s.status,
    progress: s.progress,
    current_step: s.currentStep,
    spec: specSummary(s.spec),
    scenes,
    num_scenes: scenes.length,
    refinements: { used: s.refinements ?? 0, limit: MAX_REFINEMENTS },
    revision: s.revision ?? 0,
    version: s.version ?? 1,
    versions: versionViews,
    cost,
    cost_breakdown: completed
      ? { ...s.costs, keyframes: s.costs.keyframes ?? 0, total: totalOf(s.costs) }
      : null,
    // The latest finished version, also while a draft of the next one is edited or rendered.
    video_url: latest ? (versionViews.at(-1)?.video_url ?? null) : null,
    thumbnail_url: latest ? (versionViews.at(-1)?.thumbnail_url ?? null) : null,
    qc: latest?.qc ?? null,
    error: s.error,
    error_code: errorCode(s),
    created_at: s.createdAt,
    started_at: s.startedAt,
    completed_at: s.completedAt,
    generation_time_s:
      completed && s.startedAt && s.completedAt ? Math.round((s.completedAt - s.startedAt) / 100) / 10 : null,
  };
}
