import { FAKE_OPENAI_KEY } from "./test/node/fakes/openai-server.ts";
import { FAKE_REPLICATE_TOKEN } from "./test/node/fakes/replicate-server.ts";
import { workerProject } from "./vitest.shared.ts";

/** Worker tests with the OpenAI and Replicate providers, against local servers speaking their protocols. */
export default workerProject({
  name: "worker-providers",
  include: ["test-providers/**/*.test.ts"],
  bindings: ({ openaiUrl, replicateUrl }) => ({
    OPENAI_API_KEY: FAKE_OPENAI_KEY,
    OPENAI_BASE_URL: `${openaiUrl}/v1`,
    OPENAI_MODEL: "gpt-4o-mini",
    REPLICATE_API_TOKEN: FAKE_REPLICATE_TOKEN,
    REPLICATE_BASE_URL: `${replicateUrl}/v1`,
    REPLICATE_POLL_MS: "100",
  }),
});
