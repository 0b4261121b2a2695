/**
 * Payload validation (WORKFLOWS.md §W2): JSON Schema through ajv (with formats), or any Standard
 * Schema (zod, valibot…). Every problem is reported, with its JSON pointer and the value found.
 * @module
 */
import { Ajv, type Ajv as AjvInstance } from 'ajv';
import addFormats from 'ajv-formats';
import { PayloadError, type PayloadProblem } from './errors.js';
import { isStandardSchema, type StandardSchemaV1 } from './standard-schema.js';
import type { JsonSchema } from './definition/spec.js';

/** Checks a payload; resolves the problems found (empty when valid). */
export type PayloadValidator = (payload: unknown) => Promise<readonly PayloadProblem[]>;

/** The value at a JSON pointer inside `root` (undefined when absent). */
export function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let value: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function pointerOf(path: ReadonlyArray<PropertyKey | StandardSchemaV1.PathSegment> | undefined): string {
  if (!path || path.length === 0) return '';
  return path
    .map((segment) => (typeof segment === 'object' ? segment.key : segment))
    .map((key) => `/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`)
    .join('');
}

/** A new ajv instance (JSON Schema draft-07, as Director's schemas are; every error; formats on). */
export function createAjv(): AjvInstance {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
  (addFormats as unknown as (instance: AjvInstance) => void)(ajv);
  return ajv;
}

/** A validator from an ajv instance that holds the schema `$id` (or the schema itself). */
export function jsonSchemaValidator(ajv: AjvInstance, schema: JsonSchema | string): PayloadValidator {
  const validate = typeof schema === 'string' ? ajv.getSchema(schema) : ajv.compile(schema);
  if (!validate) throw new Error(`schema '${String(schema)}' is not registered`);
  return async (payload) => {
    if (validate(payload)) return [];
    return (validate.errors ?? []).map((error) => {
      const missing = error.keyword === 'required' ? (error.params as { missingProperty?: string }).missingProperty : undefined;
      const path = missing !== undefined ? `${error.instancePath}/${missing}` : error.instancePath;
      return { path, message: error.message ?? error.keyword, value: valueAt(payload, path) };
    });
  };
}

/** A validator from a Standard Schema. */
export function standardSchemaValidator(schema: StandardSchemaV1): PayloadValidator {
  return async (payload) => {
    const result = await schema['~standard'].validate(payload);
    if (!result.issues) return [];
    return result.issues.map((issue) => {
      const path = pointerOf(issue.path);
      return { path, message: issue.message, value: valueAt(payload, path) };
    });
  };
}

/** True when `payload` is a plain JSON object (every payload must be one). */
export function isPayloadObject(payload: unknown): payload is Record<string, unknown> {
  return typeof payload === 'object' && payload !== null && !Array.isArray(payload);
}

/** Throw a {@link PayloadError} unless `payload` is an object that passes `validate`. */
export async function checkPayload(workflow: string, payload: unknown, validate: PayloadValidator | undefined): Promise<void> {
  if (!isPayloadObject(payload)) throw new PayloadError(workflow, [{ path: '', message: 'must be a JSON object', value: payload }]);
  if (!validate) return;
  const problems = await validate(payload);
  if (problems.length > 0) throw new PayloadError(workflow, problems);
}

export { isStandardSchema };
