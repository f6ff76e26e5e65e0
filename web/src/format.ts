/** Display formatting shared by every page: money, dates, durations, statuses. */
import type { GenerationView } from "@promptreel/worker/views";

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2 });

/** "$0.42"; sub-cent amounts keep three decimals so they do not read as free. */
export function formatCost(amount: number): string {
  if (amount > 0 && amount < 0.01) return `$${amount.toFixed(3)}`;
  return usd.format(amount);
}

/** "m:ss" (or "h:mm:ss") for an elapsed time in milliseconds. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** "Nov 25, 2:03 PM" (with the year when it is not this year). */
export function formatDate(epochMs: number): string {
  const d = new Date(epochMs);
  const sameYear = d.getFullYear() === new Date().getFullYear();
  return d.toLocaleString("en-US", {
    month: "short",
    day: "numeric",
    ...(sameYear ? {} : { year: "numeric" }),
    hour: "numeric",
    minute: "2-digit",
  });
}

/**
 * True when its owner stopped it: status `cancelled`, or, cancelled before that status existed,
 * `failed` with `error_code` "cancelled" (never the message).
 */
export function isCancelled(g: Pick<GenerationView, "status" | "error_code">): boolean {
  return g.status === "cancelled" || (g.status === "failed" && g.error_code === "cancelled");
}

/** Status labels for people. */
export const STATUS_LABELS = {
  pending: "Queued",
  processing: "Generating",
  storyboard: "Storyboard",
  completed: "Ready",
  failed: "Failed",
  cancelled: "Cancelled",
} as const;
