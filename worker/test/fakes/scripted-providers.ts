/**
 * In-memory providers for tests, injected into a group's coordinator (its `providers` field,
 * set through `runInDurableObject` before the group starts). They record every call, answer
 * from a script, and can hold a clip until the test lets it go, which freezes a pipeline at a
 * known point. The fake HTTP servers in test/node/fakes/ stay for the protocol tests.
 */

import type { AdSpecification } from "../../src/pipeline/spec.ts";
import type {
  ClipContext,
  ClipRequest,
  LlmProvider,
  LlmUsage,
  SpecRequest,
  VideoProvider,
} from "../../src/providers/types.ts";

/** An LLM that answers every request with `respond(request)` and records the calls. */
export function scriptedLlm(
  respond: (request: SpecRequest) => AdSpecification | Promise<AdSpecification>,
  usage: LlmUsage = { inputTokens: 0, outputTokens: 0 },
) {
  const calls: { method: "generateSpec" | "refineScenes" | "refineScene"; request: SpecRequest }[] = [];
  const provider: LlmProvider & { calls: typeof calls } = {
    name: "scripted",
    model: "template-planner-v1",
    calls,
    async generateSpec(request) {
      calls.push({ method: "generateSpec", request });
      return { spec: await respond(request), usage };
    },
    async refineScenes(request, spec) {
      calls.push({ method: "refineScenes", request });
      return { spec, usage };
    },
    async refineScene(request) {
      calls.push({
        method: "refineScene",
        request: { prompt: request.prompt, seed: 0, durationS: 0, aspectRatio: "" },
      });
      return {
        scene: {
          overlay_text: `Refined: ${request.instruction}`.slice(0, 120),
          visual_prompt: request.scene.visual_prompt,
          duration_s: null,
        },
        usage,
      };
    },
  };
  return provider;
}

/**
 * A gate a test holds clips at: `release()` lets every waiting and later clip through. With
 * `ignoreAbort` a held clip does not notice a cancel (a provider call already past the point
 * of no return) and carries on when released.
 */
export function gate(options: { ignoreAbort?: boolean } = {}) {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const entered: number[] = [];
  return {
    /** Scene indexes that reached the gate, in order. */
    entered,
    /** Waits until the gate opens, or rejects when `signal` aborts (a cancel). */
    wait(index: number, signal: AbortSignal): Promise<void> {
      entered.push(index);
      return new Promise<void>((resolve, reject) => {
        if (!options.ignoreAbort) {
          if (signal.aborted) return reject(signal.reason);
          signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        }
        void opened.then(resolve);
      });
    },
    release: () => open(),
    /** Whether held clips carry on through a cancel. */
    ignoresAbort: options.ignoreAbort === true,
  };
}

/**
 * A video provider that records every request, waits at `hold` (if any) before each clip, and
 * then makes the clip with `delegate` (the real offline renderer in these tests, so compose
 * gets real MP4s).
 */
export function scriptedVideo(delegate: VideoProvider, hold?: ReturnType<typeof gate>) {
  const calls: ClipRequest[] = [];
  const provider: VideoProvider & { calls: typeof calls } = {
    // The delegate's name: it makes the delegate's clips, so a clip's identity (and its reuse
    // by a later version, which the Worker quotes with the environment's providers) is the same.
    name: delegate.name,
    models: delegate.models,
    // The delegate's cap too (the offline renderer's three at a time), which these tests count on.
    ...(delegate.maxConcurrentClips ? { maxConcurrentClips: delegate.maxConcurrentClips } : {}),
    calls,
    async generateClip(request: ClipRequest, ctx: ClipContext) {
      calls.push(request);
      await hold?.wait(request.scene.index, ctx.signal);
      // A clip past the point of no return is finished even if the stage was aborted meanwhile.
      const signal = hold?.ignoresAbort ? new AbortController().signal : ctx.signal;
      return delegate.generateClip(request, { ...ctx, signal });
    },
    billedSeconds: (model, durationS) => delegate.billedSeconds(model, durationS),
    cancelClip: (entry) => delegate.cancelClip(entry),
  };
  return provider;
}
