/**
 * Table and column names for the few statements written as raw SQL (conditional inserts and
 * guarded batches that D1 must run as one statement each). The names come from the drizzle
 * schema, so renaming a column there cannot leave a stale name in a query string.
 */
import { getTableColumns, getTableName, type Table } from "drizzle-orm";

/** `{ $table, <property>: "<column_name>" }` for a drizzle table. */
export function sqlNames<T extends Table>(
  table: T,
): { $table: string } & Record<keyof T["_"]["columns"], string> {
  const names: Record<string, string> = { $table: getTableName(table) };
  for (const [property, column] of Object.entries(getTableColumns(table))) names[property] = column.name;
  return names as { $table: string } & Record<keyof T["_"]["columns"], string>;
}
