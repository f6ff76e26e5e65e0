/**
 * Per-job scratch space for staged files: the Worker uploads a job's inputs here
 * (`PUT /jobs/:job_id/files/:name`), the job refers to them as `{ file: name }`, writes its
 * outputs here, and the Worker reads them back (`GET .../files/:name`) and then frees the
 * space (`DELETE /jobs/:job_id`). This way the container needs no credentials and no route
 * back to the Worker. Abandoned spaces are swept after an hour.
 */
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { JobIdSchema, StagedNameSchema } from "./contract.ts";
import { JobError } from "./errors.ts";
import { writeCapped } from "./transfer.ts";

const ABANDONED_MS = 60 * 60 * 1000;

/** Root of every job's staging space (RENDER_STAGING_DIR, default <tmp>/promptreel-staging). */
export const stagingRoot = () => process.env.RENDER_STAGING_DIR ?? join(tmpdir(), "promptreel-staging");

/**
 * The staging directory of a job; validates the id, and checks the resolved path is a directory
 * directly inside the root, so no id can escape it whatever the schema lets through.
 */
export function stagingDir(jobId: string): string {
  if (!JobIdSchema.safeParse(jobId).success) throw new JobError("invalid_job", `invalid job id: ${jobId}`);
  const root = resolve(stagingRoot());
  const dir = resolve(root, jobId);
  if (dirname(dir) !== root) throw new JobError("invalid_job", `invalid job id: ${jobId}`);
  return dir;
}

/** The path of a staged file; validates the name (no separators, no dot-dot). */
export function stagedPath(jobId: string, name: string): string {
  if (!StagedNameSchema.safeParse(name).success)
    throw new JobError("invalid_job", `invalid file name: ${name}`);
  return join(stagingDir(jobId), name);
}

/** Stores an upload as `name` in the job's space, refusing more than `maxBytes`. */
export async function putStagedFile(
  jobId: string,
  name: string,
  body: ReadableStream,
  maxBytes: number,
): Promise<number> {
  const path = stagedPath(jobId, name);
  await mkdir(stagingDir(jobId), { recursive: true });
  // Written under a temporary name, so a broken upload never looks like a complete file.
  const partial = `${path}.partial`;
  let size: number;
  try {
    size = await writeCapped(body, partial, maxBytes, "upload");
    await rename(partial, path);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  void sweepAbandoned();
  return size;
}

/** The path of an existing staged file, or a 404-style error. */
export async function existingStagedFile(
  jobId: string,
  name: string,
): Promise<{ path: string; size: number }> {
  const path = stagedPath(jobId, name);
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw new JobError("input_rejected", `no staged file ${name} for job ${jobId}`);
  return { path, size: info.size };
}

/** Frees a job's space. */
export async function removeStaging(jobId: string): Promise<void> {
  await rm(stagingDir(jobId), { recursive: true, force: true });
}

/** Deletes spaces untouched for an hour (a caller that died before DELETE). */
async function sweepAbandoned(): Promise<void> {
  const root = stagingRoot();
  const entries = await readdir(root).catch(() => [] as string[]);
  const now = Date.now();
  for (const entry of entries) {
    const info = await stat(join(root, entry)).catch(() => null);
    if (info && now - info.mtimeMs > ABANDONED_MS)
      await rm(join(root, entry), { recursive: true, force: true });
  }
}
