/**
 * Per-job scratch space for staged files: the Worker uploads a job's inputs here
 * (`PUT /jobs/:job_id/files/:name`), the job refers to them as `{ file: name }`, writes its
 * outputs here, and the Worker reads them back (`GET .../files/:name`) and then frees the
 * space (`DELETE /jobs/:job_id`). This way the container needs no credentials and no route
 * back to the Worker. Abandoned spaces are swept after an hour.
 */
import { mkdir, readdir, rename, rm, rmdir, stat } from "node:fs/promises";
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

/** Caps on a job's staging space (the Worker stages at most a handful of files per job). */
export interface StagingLimits {
  /** Largest staged file, in bytes. */
  maxFileBytes: number;
  /** Most bytes one job's space may hold (its inputs and any outputs written so far). */
  maxJobBytes: number;
  /** Most files one job's space may hold. */
  maxFiles: number;
}

const MB = 1_000_000;

/**
 * Caps from RENDER_STAGING_MAX_FILE_MB (default 200), RENDER_STAGING_MAX_JOB_MB (default 1000) and
 * RENDER_STAGING_MAX_FILES (default 16). What the product stages stays well below them: uploads are
 * at most 50 MB (worker/src/assets/intake.ts), a job stages at most 5 clips plus music and a logo,
 * or one master to transcode (a 60 s master at 8 Mb/s is about 60 MB).
 */
export function stagingLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): StagingLimits {
  const positive = (value: string | undefined, fallback: number) => {
    const n = Number(value);
    return value !== undefined && value !== "" && Number.isFinite(n) && n > 0 ? n : fallback;
  };
  return {
    maxFileBytes: Math.floor(positive(env.RENDER_STAGING_MAX_FILE_MB, 200) * MB),
    maxJobBytes: Math.floor(positive(env.RENDER_STAGING_MAX_JOB_MB, 1000) * MB),
    maxFiles: Math.floor(positive(env.RENDER_STAGING_MAX_FILES, 16)),
  };
}

/** Uploads to one job run one at a time, so its count and size checks see every earlier upload. */
const jobLocks = new Map<string, Promise<unknown>>();

function serially<T>(jobId: string, task: () => Promise<T>): Promise<T> {
  const before = jobLocks.get(jobId) ?? Promise.resolve();
  const run = before.then(task, task);
  const settled = run.catch(() => undefined);
  jobLocks.set(jobId, settled);
  void settled.then(() => {
    if (jobLocks.get(jobId) === settled) jobLocks.delete(jobId);
  });
  return run;
}

/** Files in a job's space (name and size), leaving out `except` (a file about to be replaced). */
async function spaceUse(dir: string, except: string): Promise<{ files: number; bytes: number }> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return [] as string[];
    throw err;
  });
  let files = 0;
  let bytes = 0;
  for (const name of names) {
    if (name === except) continue;
    const info = await stat(join(dir, name)).catch(() => null);
    if (!info) continue; // removed meanwhile
    files += 1;
    bytes += info.isFile() ? info.size : 0;
  }
  return { files, bytes };
}

/** Removes a job's directory if this upload left it empty (a refused first upload leaves nothing). */
async function removeIfEmpty(dir: string): Promise<void> {
  await rmdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "ENOTEMPTY" && err.code !== "EEXIST" && err.code !== "ENOENT") throw err;
  });
}

/**
 * Stores an upload as `name` in the job's space (replacing a file of that name), within `limits`:
 * a file over `maxFileBytes` or one that would take the job past `maxJobBytes` is refused with
 * `too_large` (at once when `declaredBytes`, the request's Content-Length, says so; otherwise when
 * the stream passes the cap), a new file past `maxFiles` with `too_many_files`. A refused upload
 * leaves nothing behind.
 */
export function putStagedFile(
  jobId: string,
  name: string,
  body: ReadableStream,
  limits: StagingLimits,
  declaredBytes?: number,
): Promise<number> {
  const path = stagedPath(jobId, name);
  const dir = stagingDir(jobId);
  return serially(jobId, async () => {
    const use = await spaceUse(dir, name);
    if (use.files >= limits.maxFiles)
      throw new JobError(
        "too_many_files",
        `job ${jobId} already holds ${use.files} staged files; the most is ${limits.maxFiles}`,
      );
    const room = Math.min(limits.maxFileBytes, limits.maxJobBytes - use.bytes);
    const tooLarge = () =>
      new JobError(
        "too_large",
        `the upload is over the staging limit: ${limits.maxFileBytes} bytes a file, ${limits.maxJobBytes} a job (${use.bytes} used)`,
      );
    if (declaredBytes !== undefined && declaredBytes > room) throw tooLarge();
    await mkdir(dir, { recursive: true });
    // Written under a temporary name, so a broken upload never looks like a complete file.
    const partial = `${path}.partial`;
    let size: number;
    try {
      size = await writeCapped(body, partial, Math.max(0, room), "upload");
      await rename(partial, path);
    } catch (err) {
      await rm(partial, { force: true });
      await removeIfEmpty(dir);
      if (err instanceof JobError && err.code === "input_rejected") throw tooLarge();
      throw err;
    }
    void sweepAbandoned();
    return size;
  });
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
