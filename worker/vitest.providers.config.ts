import { fakeProviderBindings, workerProject } from "./vitest.shared.ts";

/** Worker tests with the OpenAI and Replicate providers, against local servers speaking their protocols. */
export default workerProject({
  name: "worker-providers",
  include: ["test-providers/**/*.test.ts"],
  bindings: fakeProviderBindings,
});
