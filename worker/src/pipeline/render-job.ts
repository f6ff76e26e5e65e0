/**
 * Builds the render container's job for the compose stage from the plan, the specification
 * and the user's settings. Pure: the coordinator stages the clips under these file names.
 */
import {
  CONTRACT_VERSION,
  type Mood,
  type RenderJobInput,
  type VideoSettings,
} from "@promptreel/render-container/contract";
import { CROSSFADE_S, clipDuration } from "./scene-plan.ts";
import { type GenerationSettings, outputSize } from "./settings.ts";
import type { AdSpecification, ScenePlan } from "./spec.ts";

/** The staged file name of scene `index`'s clip. */
export const clipFileName = (index: number) => `clip-${index}.mp4`;

/** The staged file name of scene `index`'s poster in the finished ad. */
export const scenePosterFileName = (index: number) => `poster-${index}.jpg`;

/** x264 settings of an ad's encode (the render contract's own fields). */
export type EncodeSettings = Pick<VideoSettings, "preset" | "crf" | "content">;

/** The product's encode: footage from a video model (or the user's own) is encoded as it always was. */
export const STANDARD_ENCODE: EncodeSettings = { preset: "medium", crf: 20, content: "footage" };

/**
 * The encode of an ad made only of the offline motion renderer's pictures (flat gradients, soft
 * sprites, type): `veryfast` at CRF 18, without B-frames or P partitions (`motion_graphics`), keeps
 * the fidelity of `medium` at CRF 20 on them for about 28 % of the encoder's CPU. The measurements
 * are in docs/architecture.md, "The encode of an offline ad". Natural footage was not measured, so
 * it keeps `STANDARD_ENCODE` (issue 15).
 */
export const MOTION_GRAPHICS_ENCODE: EncodeSettings = {
  preset: "veryfast",
  crf: 18,
  content: "motion_graphics",
};

/** The encode for an ad whose scenes' clips were made by `models` (a clip's model, null when unknown). */
export function encodeFor(models: readonly (string | null)[], motionRendererModel: string): EncodeSettings {
  return models.length > 0 && models.every((m) => m === motionRendererModel)
    ? MOTION_GRAPHICS_ENCODE
    : STANDARD_ENCODE;
}

/** The compose job for one generation. */
export function buildRenderJob(input: {
  jobId: string;
  spec: AdSpecification;
  plan: ScenePlan;
  settings: GenerationSettings;
  /** The staged file of the user's own track (settings.music), which replaces the library's. */
  musicFile?: string | null;
  /** The staged file of the brand's logo (settings.logo): a corner logo and an end card. */
  logoFile?: string | null;
  /** What the prompt said that the overlays must say (the QC report checks it). */
  facts?: string[];
  /** The x264 settings (`encodeFor`); the product's standard encode when not given. */
  encode?: EncodeSettings;
}): RenderJobInput {
  const { spec, plan, settings } = input;
  const { width, height } = outputSize(settings.aspect_ratio);
  const mood: Mood | null =
    settings.music_mood === "none"
      ? null
      : settings.music_mood === "auto"
        ? spec.brand.mood
        : settings.music_mood;
  const textColour = "#ffffff";
  return {
    version: CONTRACT_VERSION,
    job_id: input.jobId,
    video: { width, height, fps: 24, ...(input.encode ?? STANDARD_ENCODE) },
    scenes: plan.scenes.map((scene, i) => ({
      clip: { file: clipFileName(i) },
      duration_s: clipDuration(plan, i),
      // A stitched clip may carry no text.
      ...(scene.overlay.text
        ? {
            overlay: {
              text: scene.overlay.text,
              position: scene.overlay.position,
              animation: scene.overlay.animation,
              colour: textColour,
              font: "auto" as const,
            },
          }
        : {}),
    })),
    transition: { type: "fade", duration_s: CROSSFADE_S },
    fade_in_s: 0.3,
    fade_out_s: 0.3,
    audio: input.musicFile
      ? { music: { source: { file: input.musicFile } }, music_volume: 0.3, whoosh: true }
      : mood
        ? { music: { library: mood }, music_volume: 0.3, whoosh: true }
        : { whoosh: true },
    grade: settings.grade,
    brand: { name: spec.brand.name, colours: spec.brand.colours, style: spec.brand.visual_style },
    ...(input.logoFile ? { logo: { source: { file: input.logoFile }, corner: true, end_card: true } } : {}),
    qc: { facts: input.facts ?? [] },
    outputs: {
      video: { file: "video.mp4" },
      thumbnail: { file: "thumbnail.jpg" },
      posters: plan.scenes.map((_, i) => ({ file: scenePosterFileName(i) })),
    },
  };
}
