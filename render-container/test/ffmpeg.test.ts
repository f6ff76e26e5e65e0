/**
 * ffmpeg runs under `nice` (RENDER_NICE, default 10), so a render yields the CPU to what answers
 * people on the same machine. Read from the running process itself: /proc/<pid>/stat.
 */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { niceness, runFfmpeg } from "../src/ffmpeg.ts";

/** Field 19 of /proc/<pid>/stat: the process's niceness (the name in field 2 may hold spaces). */
async function niceOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
}

describe("ffmpeg processes", () => {
  it("run at the configured niceness, as ffmpeg itself", async () => {
    let seen: { nice: number; name: string } | undefined;
    // One second of test pattern at real time: long enough to look at the running process.
    await runFfmpeg(
      ["-v", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=64x64:rate=10:duration=1", "-f", "null", "-"],
      {
        onSpawn: (pid) => {
          setTimeout(async () => {
            const name = (await readFile(`/proc/${pid}/comm`, "utf8")).trim();
            seen = { nice: await niceOf(pid), name };
          }, 400);
        },
      },
    );
    expect(seen).toEqual({ nice: niceness(), name: "ffmpeg" });
    expect(niceness()).toBe(10);
  });

  it("reads RENDER_NICE, refusing what is not a niceness", () => {
    expect(niceness({ RENDER_NICE: "0" })).toBe(0);
    expect(niceness({ RENDER_NICE: "19" })).toBe(19);
    expect(niceness({ RENDER_NICE: "-5" })).toBe(10);
    expect(niceness({ RENDER_NICE: "lots" })).toBe(10);
  });
});
