/**
 * The offline planner's scene refinement: applies a plain-language instruction to one scene
 * deterministically. It understands what storyboard users ask most: shorter or longer copy,
 * new text in quotes, "make it about …" / "focus on …", a tone word, and scene length ("longer",
 * "quicker", "4 seconds"). Anything else is added to the shot description, so no instruction
 * is silently dropped.
 */
import type { PlannedScene } from "../pipeline/spec.ts";
import type { SceneRefinement } from "./types.ts";

const TONES = [
  "energetic",
  "calm",
  "luxurious",
  "luxury",
  "playful",
  "bold",
  "warm",
  "cool",
  "minimal",
  "dramatic",
  "cinematic",
  "cosy",
  "cozy",
  "fun",
  "serious",
];
const MAX_WORDS = 8;

const words = (text: string) => text.split(/\s+/).filter(Boolean);
const capitalised = (text: string) => text.charAt(0).toLocaleUpperCase() + text.slice(1);
const clean = (text: string) => text.replace(/[.!?,;:]+$/, "").trim();

/** New overlay copy, if the instruction says what it should be or how long. */
function copyFor(instruction: string, current: string): string | null {
  const quoted = /["“«]([^"”»]{1,120})["”»]/.exec(instruction);
  if (quoted?.[1]) return clean(quoted[1]);
  const topic = /\b(?:make it about|about|focus on|talk about|mention)\s+(.+)$/i.exec(instruction);
  if (topic?.[1]) return capitalised(words(clean(topic[1])).slice(0, MAX_WORDS).join(" "));
  if (/\b(shorter|fewer words|less text|tighter|punchier)\b/i.test(instruction)) {
    // "a shorter scene" is about time, not copy.
    if (/\b(scene|clip|shot)\b/i.test(instruction) && !/\b(text|copy|words|line)\b/i.test(instruction))
      return null;
    const w = words(current);
    return w.length > 2 ? w.slice(0, Math.max(2, Math.ceil(w.length / 2))).join(" ") : current;
  }
  return null;
}

/** A new scene length, if the instruction asks for one. */
function durationFor(instruction: string, current: number): number | null {
  const seconds = /(\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds?)\b/i.exec(instruction);
  if (seconds?.[1]) return Number(seconds[1]);
  if (
    /\b(longer|slower|linger|hold (it )?longer)\b/i.test(instruction) &&
    !/\b(text|copy)\b/i.test(instruction)
  )
    return current + 1;
  if (/\b(quicker|faster|shorter (scene|clip|shot))\b/i.test(instruction)) return Math.max(1.5, current - 1);
  return null;
}

/** Applies `instruction` to `scene`. Pure and deterministic. */
export function refineSceneOffline(scene: PlannedScene, instruction: string): SceneRefinement {
  const text = instruction.trim();
  const overlay = copyFor(text, scene.overlay.text);
  const duration = durationFor(text, scene.duration_s);
  const topic = /\b(?:make it about|about|focus on|talk about|mention)\s+(.+)$/i.exec(text)?.[1];
  const tone = TONES.find((t) => new RegExp(`\\b${t}\\b`, "i").test(text));
  let visual = scene.visual_prompt;
  if (topic) visual = `${visual}, focused on ${clean(topic)}`;
  if (tone) visual = `${visual}, ${tone} mood`;
  if (!overlay && duration === null && !topic && !tone) visual = `${visual}, ${clean(text)}`;
  return {
    overlay_text: overlay ?? scene.overlay.text,
    visual_prompt: visual.slice(0, 600),
    duration_s: duration,
  };
}
