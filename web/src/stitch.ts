/**
 * "From my clips" (`/stitch`): the rules of an ad stitched from the user's own video clips, as
 * the Worker applies them (`worker/src/pipeline/stitch.ts`, `routes/stitch.ts`), and the request
 * the page sends. Pure.
 */
import { CROSSFADE_S, STITCH, stitchedAdSeconds } from "@promptreel/worker/rules";
import type { StitchInput } from "./api.ts";
import type { Asset } from "./assets.ts";

/** The server's limits (`@promptreel/worker/rules`), under the names this page uses. */
export const STITCH_CLIPS = STITCH.clips;
export const OVERLAY_MAX = STITCH.overlayMax;
export const TITLE_MAX = STITCH.titleMax;
export { CROSSFADE_S };
export const MAX_CLIP_S = STITCH.maxClipS;
export const MIN_CLIP_S = STITCH.minClipS;
export const MAX_STITCH_S = STITCH.maxAdS;

/** What the rules need of a clip: its asset id and length. */
type Clip = Pick<Asset, "id" | "duration_s">;

/** `list` with the item at `from` moved to `to` (the others keep their order). */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list];
  if (from < 0 || from >= out.length || to < 0 || to >= out.length || from === to) return out;
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item as T);
  return out;
}

/** The footage of the clips in seconds, as they are (null while any length is unknown). */
export function footageSeconds(clips: readonly Clip[]): number | null {
  let sum = 0;
  for (const clip of clips) {
    if (clip.duration_s === null) return null;
    sum += clip.duration_s;
  }
  return sum;
}

/** The ad's length: each clip at most 15 s, less one crossfade per cut (null while any length is unknown). */
export function stitchedSeconds(clips: readonly Clip[]): number | null {
  const lengths = clips.map((c) => c.duration_s);
  return lengths.every((d) => d !== null) ? stitchedAdSeconds(lengths as number[]) : null;
}

/** "12.4 s". */
export const seconds = (s: number) => `${s.toFixed(1)} s`;

/** Why the list cannot be stitched yet (shown next to the disabled button), or null. */
export function stitchBlocked(clips: readonly Clip[]): string | null {
  const n = clips.length;
  if (n < STITCH_CLIPS.min)
    return n === 0
      ? `Add at least ${STITCH_CLIPS.min} clips to stitch.`
      : `Add at least ${STITCH_CLIPS.min - n} more clip (at least ${STITCH_CLIPS.min}).`;
  if (n > STITCH_CLIPS.max)
    return `Remove ${n - STITCH_CLIPS.max} clip${n - STITCH_CLIPS.max === 1 ? "" : "s"} (at most ${STITCH_CLIPS.max}).`;
  const short = clips.findIndex((c) => c.duration_s !== null && c.duration_s < MIN_CLIP_S);
  if (short >= 0) return `Clip ${short + 1} is shorter than ${MIN_CLIP_S} s; remove it.`;
  const total = stitchedSeconds(clips);
  if (total !== null && total > MAX_STITCH_S)
    return `These clips make a ${seconds(total)} ad; the most is ${MAX_STITCH_S} s (each clip counts at most ${MAX_CLIP_S} s).`;
  return null;
}

/** How the ad is finished: the page's choices besides the clips. */
export interface StitchFinish {
  title: string;
  aspect: NonNullable<StitchInput["aspect"]>;
  grade: NonNullable<StitchInput["grade"]>;
  /** A library mood (used when there is no own track). */
  mood: string;
  /** An audio asset id, or null. */
  track: string | null;
  /** An image asset id, or null. */
  logo: string | null;
}

/** The `POST /api/stitch` body: clips and their texts (by clip id) in order, empty choices left out. */
export function stitchRequest(
  clips: readonly Clip[],
  overlays: Record<string, string>,
  finish: StitchFinish,
): StitchInput {
  const title = finish.title.trim();
  return {
    clips: clips.map((c) => c.id),
    overlays: clips.map((c) => overlays[c.id]?.trim() || null),
    ...(title ? { title } : {}),
    aspect: finish.aspect,
    grade: finish.grade,
    music: finish.track ?? finish.mood,
    ...(finish.logo ? { logo: finish.logo } : {}),
  };
}
