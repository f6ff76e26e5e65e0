/** enhance (10 %): the LLM writes the ad specification (and refines it with enhanced planning). */
import type { GenerationState } from "../../groups/state.ts";
import type { SpecRequest } from "../../providers/types.ts";
import { llmCost } from "../prices.ts";
import type { StageContext } from "./context.ts";

const specRequest = (s: GenerationState): SpecRequest => ({
  prompt: s.prompt,
  seed: s.seed,
  durationS: s.settings.duration_s,
  aspectRatio: s.settings.aspect_ratio,
});

/** Writes `s.spec`; variations whose settings do not change the specification share one. */
export async function enhance(ctx: StageContext, s: GenerationState): Promise<void> {
  await ctx.save({ ...s, progress: 10, currentStep: "Writing the ad specification" });
  Object.assign(s, { progress: 10, currentStep: "Writing the ad specification" });
  const { llm } = ctx.providers;
  const request = specRequest(s);
  const key = `spec:${JSON.stringify([request, s.settings.enhanced_planning, llm.name, llm.model])}`;
  const { value, reused } = await ctx.shared(key, s.id, async () => {
    const first = await llm.generateSpec(request, { signal: ctx.signal, journal: ctx.llmJournal });
    let spec = first.spec;
    let cost = llmCost(llm.model, first.usage);
    if (s.settings.enhanced_planning) {
      const refined = await llm.refineScenes(request, spec, { signal: ctx.signal, journal: ctx.llmJournal });
      spec = refined.spec;
      cost += llmCost(llm.model, refined.usage);
    }
    return { spec, cost };
  });
  // Shared work is paid once, by the variation that did it.
  const cost = reused ? 0 : value.cost;
  ctx.log.info("specification ready", {
    framework: value.spec.framework,
    scenes: value.spec.scenes.length,
    cost,
    reused,
    provider: llm.name,
  });
  Object.assign(s, { spec: value.spec, stage: "plan", costs: { ...s.costs, enhance: cost } });
  await ctx.save(s);
}
