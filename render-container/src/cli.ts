/**
 * `npm run render -- job.json`: runs a render (or, with `"kind": "synthesize"` or a body that looks
 * like one, a synthesis) job from a file, with local paths and URL sources and outputs allowed (the
 * person running it chose them; the HTTP server refuses both). Progress goes to stderr as
 * NDJSON, the final event to stdout; the exit code is 0 only on success.
 */
import { readFile } from "node:fs/promises";
import type { JobError } from "./errors.ts";
import { killAllChildren } from "./ffmpeg.ts";
import { JobRunner, parseJob } from "./jobs.ts";

async function main(argv: string[]): Promise<number> {
  const file = argv[0];
  if (!file) {
    console.error("usage: npm run render -- job.json");
    return 2;
  }
  const body = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  const kind =
    body.kind === "transcode"
      ? "transcode"
      : body.kind === "synthesize" || ("scene" in body && "brand" in body)
        ? "synthesize"
        : "render";
  delete body.kind;
  let job: ReturnType<typeof parseJob>;
  try {
    job = parseJob(kind, body);
  } catch (err) {
    console.error((err as JobError).message);
    return 2;
  }
  const runner = new JobRunner({ allowLocal: true, allowNetwork: true, concurrency: 1 });
  const ctl = new AbortController();
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      ctl.abort();
      killAllChildren();
    });
  }
  const final = await runner.run(job, (e) => process.stderr.write(`${JSON.stringify(e)}\n`), ctl.signal);
  process.stdout.write(`${JSON.stringify(final)}\n`);
  return final.type === "done" ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
