/** complete (100 %). */
import type { GenerationState } from "../../groups/state.ts";
import type { StageContext } from "./context.ts";

export async function complete(ctx: StageContext, s: GenerationState): Promise<void> {
  Object.assign(s, { status: "completed", progress: 100, currentStep: "Done", completedAt: Date.now() });
  await ctx.save(s);
}
