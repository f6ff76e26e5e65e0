import { FAKE_OPENAI_KEY } from "./test/node/fakes/openai-server.ts";
import { FAKE_REPLICATE_TOKEN } from "./test/node/fakes/replicate-server.ts";
import { workerProject } from "./vitest.shared.ts";

/**
 * The fault suite (`npm run test:faults`, part of `npm test`): whole generations on real D1, R2,
 * Durable Objects and the render container process, with the OpenAI and Replicate servers failing
 * at random and cancels at random moments. Short provider deadlines keep a hung call cheap.
 */
export default workerProject({
  name: "faults",
  include: ["test-faults/**/*.test.ts"],
  bindings: ({ openaiUrl, replicateUrl }) => ({
    OPENAI_API_KEY: FAKE_OPENAI_KEY,
    OPENAI_BASE_URL: `${openaiUrl}/v1`,
    OPENAI_MODEL: "gpt-4o-mini",
    OPENAI_TIMEOUT_MS: "1500",
    REPLICATE_API_TOKEN: FAKE_REPLICATE_TOKEN,
    REPLICATE_BASE_URL: `${replicateUrl}/v1`,
    REPLICATE_POLL_MS: "100",
    REPLICATE_TIMEOUT_MS: "1000",
  }),
});
