/**
 * What every file of the fault suite shares: the table of figures (one row per fault, printed
 * when the file ends) and the helpers that run many generations at once.
 */
import { afterAll } from "vitest";
import { signUp } from "../test/helpers.ts";
import { finished, type Status, waitFor } from "../test/pipeline-helpers.ts";

export interface Row {
  fault: string;
  runs: number;
  completed: number;
  cancelled: number;
  failed: number;
  /** R2 objects left under generations that did not complete, or stray ones under those that did. */
  leftovers: number;
  /** Predictions created beyond one per clip the generations asked for. */
  duplicates: number | "-";
  wall_s: number;
  notes: string;
}

/** The file's table: call once at the top of a fault file, push a row per case. */
export function faultTable(): Row[] {
  const rows: Row[] = [];
  afterAll(() => {
    if (!rows.length) return;
    const cols = Object.keys(rows[0]!) as (keyof Row)[];
    const cells = [cols.map(String), ...rows.map((r) => cols.map((c) => String(r[c])))];
    const widths = cols.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
    const line = (row: string[]) => `| ${row.map((v, i) => v.padEnd(widths[i]!)).join(" | ")} |`;
    console.log(
      [
        "fault suite",
        line(cells[0]!),
        line(widths.map((w) => "-".repeat(w))),
        ...cells.slice(1).map(line),
      ].join("\n"),
    );
  });
  return rows;
}

export const isCancelled = (s: Status) => s.error === "Cancelled by user";

/** Polls until the generation ends (or `until` holds). */
export const follow = async (token: string, id: string, until: (s: Status) => boolean, timeoutMs: number) =>
  (await waitFor(token, id, (s) => until(s) || finished(s), timeoutMs)).final;

/** Runs `task` over `items`, `width` at a time. */
export async function inBatches<T, R>(items: T[], width: number, task: (item: T, i: number) => Promise<R>) {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width)
    out.push(...(await Promise.all(items.slice(i, i + width).map((item, k) => task(item, i + k)))));
  return out;
}

/** One user per five generations (the hourly quota is ten). */
export async function users(n: number) {
  return Promise.all(Array.from({ length: Math.ceil(n / 5) }, () => signUp()));
}

export const PRODUCTS = [
  "Cold brew coffee in a can",
  "Recycled wool running shoes",
  "Oat milk barista edition",
  "Solar phone charger for hikers",
  "Matcha energy bars",
];
// Square ads: the compose of twenty of them stays a few minutes on two cores.
export const SETTINGS = { aspect_ratio: "1:1" };
