/**
 * Stitching the user's own clips into an ad (POST /api/stitch): no LLM and no video model. The
 * request's clips become the scenes, in order, each on screen for its own length (at most
 * {@link MAX_CLIP_S}) less the crossfade into the next; the overlays are the texts given per
 * clip. From here the generation is like any other at the compose stage: the same crossfades,
 * fades, music, loudness, grade, logo and export. Pure, apart from the copy of the clips.
 */
import type { Env } from "../env.ts";
import type { ClipState } from "../views/generation.ts";
import { stitchedClipKey } from "./media-keys.ts";
import { CROSSFADE_S, STITCH, stitchedAdSeconds, stitchedClipSeconds } from "./rules.ts";
import type { GenerationSettings } from "./settings.ts";
import { type AdSpecification, FRAMEWORK_STAGES, type ScenePlan } from "./spec.ts";

/** The limits (rules.ts, shared with the web app). */
export const STITCH_CLIPS = STITCH.clips;
export const MIN_CLIP_S = STITCH.minClipS;
export const MAX_CLIP_S = STITCH.maxClipS;
export const MAX_STITCH_S = STITCH.maxAdS;
/** The mood of a stitched ad's library music when the request names none. */
const DEFAULT_MOOD = "upbeat" as const;

/** One clip of the stitch: the user's video asset, as D1 knows it. */
export interface StitchClip {
  assetId: string;
  /** The asset's R2 key (read from D1, never from the request). */
  key: string;
  durationS: number;
}

/** What the coordinator starts a stitched generation from. */
export interface StitchStart {
  spec: AdSpecification;
  plan: ScenePlan;
  /** Each scene's clip: the generation's own copy, ready. */
  clips: ClipState[];
}

/** Seconds of clip `c` used (rules.ts, shared with the web app). */
const usedSeconds = (c: Pick<StitchClip, "durationS">) => stitchedClipSeconds(c.durationS);

/** The ad's length for these clips: every clip used, less one crossfade per cut. */
export const stitchedDuration = (clips: Pick<StitchClip, "durationS">[]) =>
  stitchedAdSeconds(clips.map((c) => c.durationS));

/** A scene role per position: the hook first, the call to action last, the story between. */
function roles(n: number): AdSpecification["scenes"][number]["type"][] {
  const [attention, interest, desire, action] = FRAMEWORK_STAGES.AIDA as [
    "attention",
    "interest",
    "desire",
    "action",
  ];
  return Array.from({ length: n }, (_, i) =>
    i === 0 ? attention : i === n - 1 ? action : i === 1 ? interest : desire,
  );
}

const PLATFORM: Record<GenerationSettings["aspect_ratio"], string> = {
  "9:16": "TikTok",
  "1:1": "Instagram",
  "16:9": "YouTube",
};

/** The specification, plan and clip states of a stitch (the clips already copied to `keys`). */
export function stitchStart(input: {
  title: string;
  clips: StitchClip[];
  keys: string[];
  overlays: string[];
  settings: GenerationSettings;
  seed: number;
}): StitchStart {
  const { clips, overlays, settings } = input;
  const types = roles(clips.length);
  const mood =
    settings.music_mood === "auto" || settings.music_mood === "none" ? DEFAULT_MOOD : settings.music_mood;
  const total = stitchedDuration(clips);
  const spec: AdSpecification = {
    product: input.title,
    brand: {
      name: input.title.slice(0, 60),
      // Neutral: a stitched ad's look is its footage (the `brand` grade then changes little).
      colours: ["#111827", "#f9fafb"],
      mood,
      visual_style: "the user's own footage",
    },
    audience: "the user's audience",
    platform: PLATFORM[settings.aspect_ratio],
    framework: "AIDA",
    target_duration_s: Math.min(MAX_STITCH_S, Math.max(1, Math.round(total))),
    call_to_action: (overlays.at(-1) || "").slice(0, 60),
    scenes: clips.map((_, i) => ({
      type: types[i]!,
      overlay_text: overlays[i] ?? "",
      visual_prompt: "Your clip",
    })),
  };
  const plan: ScenePlan = {
    framework: "AIDA",
    target_duration_s: total,
    scenes: clips.map((c, i) => ({
      index: i,
      type: types[i]!,
      // On screen: the clip, less the crossfade it shares with the next one.
      duration_s: usedSeconds(c) - (i < clips.length - 1 ? CROSSFADE_S : 0),
      visual_prompt: `Your clip ${i + 1}`,
      overlay: {
        text: overlays[i] ?? "",
        position: i === 0 ? "top" : i === clips.length - 1 ? "center" : "bottom",
        animation: i === 0 || i === clips.length - 1 ? "slide_up" : "fade_in",
      },
      seed: input.seed + i,
    })),
  };
  const states = clips.map(
    (c, i): ClipState => ({
      status: "ready",
      key: input.keys[i]!,
      posterKey: null,
      model: "upload",
      seconds: 0,
      cost: 0,
      identity: `upload:${c.assetId}`,
      durationS: c.durationS,
    }),
  );
  return { spec, plan, clips: states };
}

/** Copies each clip into the generation's own prefix (so deleting an asset never breaks the ad). */
export async function copyStitchClips(
  env: Pick<Env, "MEDIA">,
  generationId: string,
  clips: StitchClip[],
): Promise<string[]> {
  return Promise.all(
    clips.map(async (clip, i) => {
      const source = await env.MEDIA.get(clip.key);
      if (!source) throw new Error("a clip was deleted while the ad was created");
      const key = stitchedClipKey(generationId, i);
      await env.MEDIA.put(key, source.body, { httpMetadata: source.httpMetadata });
      return key;
    }),
  );
}
