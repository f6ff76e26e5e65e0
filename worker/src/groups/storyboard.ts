/**
 * Storyboard edits and approval. The coordinator runs them one at a time through a
 * {@link StoryboardPort} (its settled state, persistence, alarm and providers); the plan edits
 * are the pure functions of pipeline/scene-edits.ts. A scene's keyframe moves with it; one whose
 * shot changed goes back to pending and is redrawn.
 *
 * A finished ad is edited as a draft of its next version ({@link openDraft}): the same edits,
 * then approval re-renders only the clips whose identity changed (stages/clips.ts) and
 * re-composes. Until then the latest finished version stays the ad; cancelling the draft
 * discards it.
 */
import { llmCost } from "../pipeline/prices.ts";
import { MAX_REFINEMENTS } from "../pipeline/rules.ts";
import {
  addScene,
  editScene,
  type NewScene,
  removeScene,
  reorderScenes,
  SceneEditError,
  type ScenePatch,
} from "../pipeline/scene-edits.ts";
import type { ImageProvider, LlmProvider } from "../providers/types.ts";
import { finishedVersions, type GenerationView } from "../views/generation.ts";
import { type GenerationState, PENDING_CLIP, PENDING_KEYFRAME } from "./state.ts";
import { openDraft } from "./versions.ts";

/** What the coordinator lends an edit. */
export interface StoryboardPort {
  /** The state once no keyframe redraw is pending or running. */
  settledState(id: string): Promise<GenerationState | undefined>;
  /** Persists, mirrors to D1 and broadcasts. */
  save(s: GenerationState): Promise<void>;
  /** Arms the alarm now (a redraw, or the render after approval). */
  rearm(): Promise<void>;
  view(s: GenerationState): Promise<GenerationView>;
  /** Forgets what the clips of a previous render journalled (a re-render makes new clips). */
  clearJournals(id: string): Promise<void>;
  llm: LlmProvider;
  image: ImageProvider;
}

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

/**
 * A stitched ad's scenes are the user's own clips, which no provider can re-make: it is stitched
 * again instead (a new POST /api/stitch).
 */
const STITCHED_REFUSAL: EditRefusal = {
  status: 409,
  code: "conflict",
  message: "An ad stitched from your own clips is changed by stitching it again, not scene by scene.",
};

/** Why `s` cannot be edited now, or null. A finished ad can be: the edit opens its next version. */
export function editRefusal(s: GenerationState, revision?: number): EditRefusal | null {
  if (s.source === "stitch") return STITCHED_REFUSAL;
  if ((s.status !== "storyboard" && s.status !== "completed") || s.cancelRequested)
    return {
      status: 409,
      code: "conflict",
      message: `Only a storyboard waiting for review or a finished ad can be edited; this generation is ${s.cancelRequested ? "being cancelled" : s.status}.`,
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
      const redraw = edit.patch.visual_prompt !== undefined;
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

/** Approves a storyboard (or a draft of a new version): on to clips and compose. */
export function approve(s: GenerationState, now = Date.now()): void {
  Object.assign(s, {
    status: "processing",
    stage: "clips",
    approvedAt: now,
    // A re-render's time is its own; the first render's counts from the prompt.
    ...((s.version ?? 1) > 1 ? { startedAt: now } : {}),
    clips: s.plan!.scenes.map(() => PENDING_CLIP),
    progress: 30,
    currentStep: `Rendering clips (0/${s.plan!.scenes.length})`,
  });
}

const APPROVE_REFUSAL = (status: string): EditRefusal => ({
  status: 409,
  code: "conflict",
  message: `Only a storyboard waiting for review can be approved; this generation is ${status}.`,
});

/** Opens a draft of the next version of finished ad `id`; an open draft is answered as it is (`opened: false`). */
export async function openVersion(
  port: StoryboardPort,
  id: string,
): Promise<{ view: GenerationView; opened: boolean } | { refused: EditRefusal }> {
  const s = await port.settledState(id);
  if (!s) return { refused: NOT_FOUND };
  if (s.source === "stitch") return { refused: STITCHED_REFUSAL };
  if (s.status === "storyboard" && !s.cancelRequested && finishedVersions(s).length)
    return { view: await port.view(s), opened: false };
  if (s.status !== "completed")
    return {
      refused: {
        status: 409,
        code: "conflict",
        message: `Only a finished ad can be edited into a new version; this generation is ${s.status}.`,
      },
    };
  openDraft(s, port.image);
  await port.save(s);
  if (s.stage === "keyframes") await port.rearm();
  return { view: await port.view(s), opened: true };
}

const NOT_FOUND: EditRefusal = { status: 404, code: "not_found", message: "Generation not found" };

/** Applies one edit to generation `id`; the answer is the updated view or a refusal. */
export async function editStoryboard(
  port: StoryboardPort,
  id: string,
  edit: StoryboardEdit,
): Promise<{ view: GenerationView } | { refused: EditRefusal }> {
  const s = await port.settledState(id);
  if (!s) return { refused: NOT_FOUND };
  const refused = editRefusal(s, edit.revision);
  if (refused) return { refused };
  if (s.status === "completed") openDraft(s, port.image);
  try {
    if (edit.kind === "refine") {
      if (s.refinements >= MAX_REFINEMENTS)
        return {
          refused: {
            status: 409,
            code: "conflict",
            message: `All ${MAX_REFINEMENTS} refinements of this generation are used; edit the scene directly instead.`,
          },
        };
      const patch = await refinement(port.llm, s, edit.index, edit.instruction);
      applyEdit(s, { kind: "patch", index: edit.index, patch });
      s.refinements += 1;
    } else applyEdit(s, edit);
  } catch (err) {
    if (!(err instanceof SceneEditError)) throw err;
    return { refused: { status: 400, code: "validation_failed", message: err.message, field: err.field } };
  }
  await port.save(s);
  if (s.stage === "keyframes") await port.rearm();
  return { view: await port.view(s) };
}

/** Approves generation `id`'s storyboard; approving again starts nothing (`started: false`). */
export async function approveStoryboard(
  port: StoryboardPort,
  id: string,
): Promise<{ view: GenerationView; started: boolean } | { refused: EditRefusal }> {
  const s = await port.settledState(id);
  if (!s) return { refused: NOT_FOUND };
  if (s.approvedAt) return { view: await port.view(s), started: false };
  const refused = s.status === "storyboard" ? editRefusal(s) : APPROVE_REFUSAL(s.status);
  if (refused) return { refused };
  await port.clearJournals(id);
  approve(s);
  await port.save(s);
  await port.rearm();
  return { view: await port.view(s), started: true };
}

/** The patch the LLM proposes for scene `index` from `instruction`; its cost is billed to planning. */
async function refinement(llm: LlmProvider, s: GenerationState, index: number, instruction: string) {
  const scene = s.plan?.scenes[index];
  if (!scene || !s.spec) throw new SceneEditError("index", `There is no scene ${index + 1} to refine.`);
  const { scene: refined, usage } = await llm.refineScene({
    prompt: s.prompt,
    spec: s.spec,
    scene,
    instruction,
  });
  s.costs = { ...s.costs, plan: Math.round((s.costs.plan + llmCost(llm.model, usage)) * 1e6) / 1e6 };
  const patch: ScenePatch = { overlay_text: refined.overlay_text, visual_prompt: refined.visual_prompt };
  if (refined.duration_s !== null) patch.duration_s = refined.duration_s;
  return patch;
}
