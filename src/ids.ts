/**
 * Task and group ids: 36-character hyphenated UUIDv4 strings, as Celery uses.
 * @module
 */
import { randomUUID } from 'node:crypto';

/** A new random task or group id (UUIDv4, hyphenated, 36 chars). */
export function newId(): string {
  return randomUUID();
}
