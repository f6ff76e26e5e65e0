import { workerProject } from "./vitest.shared.ts";

/** Worker tests on the offline defaults (template planner, motion renderer). */
export default workerProject({ name: "worker", include: ["test/**/*.test.ts"] });
