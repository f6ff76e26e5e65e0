/**
 * The ad's on-screen text as caption files (WebVTT and SRT), written by the `subtitle` library
 * (a maintained subtitle parser and writer; we do not hand-format cue timestamps). One cue per
 * scene with text, from the scene's start on screen to the next scene's.
 */
import { type NodeList, stringifySync } from "subtitle";
import type { ScenePlan } from "../pipeline/spec.ts";

export interface Cue {
  startS: number;
  endS: number;
  text: string;
}

/** The cues of `plan`: each scene's overlay text over the seconds it is on screen. */
export function captionCues(plan: ScenePlan): Cue[] {
  const cues: Cue[] = [];
  let at = 0;
  for (const scene of plan.scenes) {
    const text = scene.overlay.text.trim();
    if (text) cues.push({ startS: at, endS: at + scene.duration_s, text });
    at += scene.duration_s;
  }
  return cues;
}

/** The cues as a WebVTT or SRT file. */
export function captionFile(cues: Cue[], format: "vtt" | "srt"): string {
  const nodes: NodeList = cues.map((c) => ({
    type: "cue",
    data: { start: Math.round(c.startS * 1000), end: Math.round(c.endS * 1000), text: c.text },
  }));
  return stringifySync(nodes, { format: format === "vtt" ? "WebVTT" : "SRT" });
}
