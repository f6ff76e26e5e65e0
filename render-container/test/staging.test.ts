/** Job ids name directories under the staging root: none may resolve outside it. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { JobIdSchema } from "../src/contract.ts";
import { stagedPath, stagingDir, stagingRoot } from "../src/staging.ts";

describe("staging paths", () => {
  it("refuses ids that are only dots, in the contract and in the path check", () => {
    for (const id of [".", "..", "..."]) {
      expect(JobIdSchema.safeParse(id).success, id).toBe(false);
      expect(() => stagingDir(id), id).toThrow(/invalid job id/);
      expect(() => stagedPath(id, "clip.mp4"), id).toThrow(/invalid job id/);
    }
  });

  it("keeps every accepted id one directory inside the root", () => {
    for (const id of ["gen-1-compose-a1", "a.b", "..a", "a..", "x:y"]) {
      expect(stagingDir(id)).toBe(join(stagingRoot(), id));
    }
    expect(() => stagingDir("a/b")).toThrow(/invalid job id/);
  });
});
