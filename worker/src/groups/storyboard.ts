/**
 * Storyboard edits and approval as changes to a generation's state (no I/O). The coordinator
 * serialises them, waits for a keyframe redraw in flight, persists and broadcasts; the plan
 * edits themselves are the pure functions of pipeline/scene-edits.ts. A scene's keyframe moves
 * with it; one whose copy or shot changed goes back to pending and is redrawn.
 */
import {
  addScene,
  editScene,
  type NewScene,
  removeScene,
  reorderScenes,
  type ScenePatch,
} from "../pipeline/scene-edits.ts";
import type { ClipState, GenerationState, KeyframeState } from "./state.ts";

/** One edit of a storyboard. `revision`, when sent, must be the generation's current one. */
export type StoryboardEdit = { revision?: number | undefined } & (
  | { kind: "patch"; index: number; patch: ScenePatch }
  | { kind: "reorder"; order: number[] }
  | { kind: "add"; at: number; scene: NewScene }
  | { kind: "remove"; index: number }
  | { kind: "refine"; index: number; instruction: string }
);

/** An edit or approval refused; the route turns it into the API's error shape. */
export interface EditRefusal {
  status: 400 | 404 | 409;
  code: "validation_failed" | "not_found" | "conflict";
  message: string;
  field?: string;
}

const PENDING_KEYFRAME: KeyframeState = { status: "pending", key: null, identity: null, cost: 0 };
const PENDING_CLIP: ClipState = { status: "pending", key: null, model: null, seconds: 0, cost: 0 };

/** Why `s` cannot be edited now, or null. */
export function editRefusal(s: GenerationState, revision?: number): EditRefusal | null {
  if (s.status !== "storyboard" || s.cancelRequested)
    return {
      status: 409,
      code: "conflict",
      message: `Only a storyboard waiting for review can be edited; this generation is ${s.cancelRequested ? "being cancelled" : s.status}.`,
    };
  if (revision !== undefined && revision !== s.revision)
    return {
      status: 409,
      code: "conflict",
      message: `This edit was made on revision ${revision} of the storyboard, which is now at revision ${s.revision}. Reload and try again.`,
    };
  return null;
}

/** Applies a plan edit (not a refine: the coordinator turns that into a patch first). Throws SceneEditError. */
export function applyEdit(s: GenerationState, edit: Exclude<StoryboardEdit, { kind: "refine" }>): void {
  const plan = s.plan!;
  const keyframes = plan.scenes.map((_, i) => s.keyframes[i] ?? PENDING_KEYFRAME);
  switch (edit.kind) {
    case "patch": {
      s.plan = editScene(plan, edit.index, edit.patch);
      const redraw = edit.patch.overlay_text !== undefined || edit.patch.visual_prompt !== undefined;
      s.keyframes = keyframes.map((k, i) => (redraw && i === edit.index ? PENDING_KEYFRAME : k));
      break;
    }
    case "reorder":
      s.plan = reorderScenes(plan, edit.order);
      s.keyframes = edit.order.map((from) => keyframes[from]!);
      break;
    case "add":
      s.plan = addScene(plan, edit.at, edit.scene);
      s.keyframes = [...keyframes.slice(0, edit.at), PENDING_KEYFRAME, ...keyframes.slice(edit.at)];
      break;
    case "remove":
      s.plan = removeScene(plan, edit.index);
      s.keyframes = keyframes.filter((_, i) => i !== edit.index);
      break;
  }
  s.clips = s.plan.scenes.map(() => PENDING_CLIP);
  s.revision = (s.revision ?? 0) + 1;
  const redrawing = s.keyframes.some((k) => k.status !== "ready");
  Object.assign(s, {
    stage: redrawing ? "keyframes" : "review",
    currentStep: redrawing ? "Redrawing keyframes" : "Storyboard ready for review",
  });
}

/** Approves a storyboard: on to clips and compose. */
export function approve(s: GenerationState, now = Date.now()): void {
  Object.assign(s, {
    status: "processing",
    stage: "clips",
    approvedAt: now,
    clips: s.plan!.scenes.map(() => PENDING_CLIP),
    progress: 30,
    currentStep: `Rendering clips (0/${s.plan!.scenes.length})`,
  });
}
