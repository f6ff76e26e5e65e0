/**
 * ffmpeg runs under SCHED_IDLE (RENDER_SCHED, default idle) and `nice` (RENDER_NICE, default 10), so
 * a render yields the CPU to what answers people on the same machine. Read from the running process
 * itself: /proc/<pid>/stat.
 */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { launchCommand, niceness, runFfmpeg, schedPolicy } from "../src/ffmpeg.ts";

/** SCHED_IDLE's number in /proc/<pid>/stat (sched(7)); SCHED_OTHER is 0. */
const SCHED_IDLE = 5;

/**
 * Fields 19 and 41 of /proc/<pid>/stat: the process's niceness and scheduling policy (the fields
 * after the name, which may hold spaces, start at field 3).
 */
async function schedOf(pid: number): Promise<{ nice: number; policy: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { nice: Number(fields[19 - 3]), policy: Number(fields[41 - 3]) };
}

describe("ffmpeg processes", () => {
  it("run under SCHED_IDLE at the configured niceness, as ffmpeg itself", async () => {
    let seen: { nice: number; policy: number; name: string } | undefined;
    // One second of test pattern at real time: long enough to look at the running process.
    await runFfmpeg(
      ["-v", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=64x64:rate=10:duration=1", "-f", "null", "-"],
      {
        onSpawn: (pid) => {
          setTimeout(async () => {
            const name = (await readFile(`/proc/${pid}/comm`, "utf8")).trim();
            seen = { ...(await schedOf(pid)), name };
          }, 400);
        },
      },
    );
    expect(seen).toEqual({ nice: 10, policy: SCHED_IDLE, name: "ffmpeg" });
    expect(niceness()).toBe(10);
    expect(schedPolicy()).toBe("idle");
  });

  it("reads RENDER_NICE, refusing what is not a niceness", () => {
    expect(niceness({ RENDER_NICE: "0" })).toBe(0);
    expect(niceness({ RENDER_NICE: "19" })).toBe(19);
    expect(niceness({ RENDER_NICE: "-5" })).toBe(10);
    expect(niceness({ RENDER_NICE: "lots" })).toBe(10);
  });

  it("reads RENDER_SCHED: only `normal` leaves the policy alone", () => {
    expect(launchCommand("ffmpeg", ["-i", "a"], {})).toEqual([
      "chrt",
      ["--idle", "0", "nice", "-n", "10", "ffmpeg", "-i", "a"],
    ]);
    expect(launchCommand("ffmpeg", ["-i", "a"], { RENDER_SCHED: "normal" })).toEqual([
      "nice",
      ["-n", "10", "ffmpeg", "-i", "a"],
    ]);
    expect(launchCommand("ffprobe", ["x"], { RENDER_SCHED: "normal", RENDER_NICE: "0" })).toEqual([
      "ffprobe",
      ["x"],
    ]);
    expect(schedPolicy({ RENDER_SCHED: "batch" })).toBe("idle");
  });
});
