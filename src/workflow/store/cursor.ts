/**
 * List cursors: the position after the last run of a page (its creation time and id), opaque to users.
 * @module
 */
import { CeleriacError } from '../../errors.js';

/** Default and maximum page sizes of `list()`. */
export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 1000;

/** Thrown when a list cursor is not one this store produced. */
export class InvalidCursorError extends CeleriacError {
  override name = 'InvalidCursorError';
}

/** The page size to use for a requested `limit`. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1) throw new CeleriacError(`limit must be an integer ≥ 1 (got ${String(limit)})`);
  return Math.min(limit, MAX_PAGE);
}

/** A cursor for the position after the run created at `created` with `id`. */
export function encodeCursor(created: number, id: string): string {
  return Buffer.from(`${created}:${id}`, 'utf8').toString('base64url');
}

/** Read a cursor back. */
export function decodeCursor(cursor: string): { created: number; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const at = text.indexOf(':');
  const created = Number(text.slice(0, at));
  if (at < 1 || !Number.isFinite(created)) throw new InvalidCursorError(`invalid list cursor '${cursor}'`);
  return { created, id: text.slice(at + 1) };
}
