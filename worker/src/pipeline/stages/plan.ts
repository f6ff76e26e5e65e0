/** plan (20 %): cut the specification into timed scenes. */
import type { GenerationState } from "../../groups/state.ts";
import { planScenes } from "../scene-plan.ts";
import type { StageContext } from "./context.ts";

export async function plan(ctx: StageContext, s: GenerationState): Promise<void> {
  if (!s.spec) throw new Error("plan stage without a specification");
  const scenePlan = planScenes(s.spec, s.settings, s.seed);
  Object.assign(s, {
    plan: scenePlan,
    clips: scenePlan.scenes.map(() => ({ status: "pending", key: null, model: null, seconds: 0, cost: 0 })),
    // A storyboard stops at keyframes for the user; otherwise straight on to video.
    stage: s.settings.workflow === "storyboard" ? "keyframes" : "clips",
    progress: 20,
    currentStep: `Planned ${scenePlan.scenes.length} scenes (${scenePlan.framework})`,
  });
  await ctx.save(s);
}
