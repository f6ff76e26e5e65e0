/**
 * Opaque cursors for lists ordered newest first by (created_at, id): a page ends at its last
 * row, and the next page starts strictly after it, so rows added meanwhile never repeat one.
 */

/** The cursor that continues after a row. */
export const encodeCursor = (createdAt: number, id: string) => btoa(`${createdAt}:${id}`);

/** The row a cursor continues after, or null when it is not one of ours. */
export function decodeCursor(cursor: string): { createdAt: number; id: string } | null {
  try {
    const [at, id] = atob(cursor).split(":");
    const createdAt = Number(at);
    return Number.isFinite(createdAt) && id ? { createdAt, id } : null;
  } catch {
    return null;
  }
}
