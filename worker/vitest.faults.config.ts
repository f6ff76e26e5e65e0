import { fakeProviderBindings, workerProject } from "./vitest.shared.ts";

/**
 * The fault suite (`npm run test:faults`, part of `npm test`): whole generations on real D1, R2,
 * Durable Objects and the render container process, with the OpenAI and Replicate servers failing
 * at random and cancels at random moments. Short provider and render container deadlines keep a
 * hung call cheap.
 */
export default workerProject({
  name: "faults",
  include: ["test-faults/**/*.test.ts"],
  bindings: (urls) => ({
    ...fakeProviderBindings(urls),
    OPENAI_TIMEOUT_MS: "1500",
    REPLICATE_TIMEOUT_MS: "1000",
    // A hung render container is given up on in seconds, not minutes. The silence limit stays twice
    // the container's keep-alive; the staging limit starts once the job has its render slot.
    RENDER_STALL_MS: "20000",
    RENDER_STAGE_TIMEOUT_MS: "20000",
  }),
});
