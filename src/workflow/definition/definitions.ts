/**
 * The app's workflow definitions: compile and register them (from TypeScript or from loaded YAML),
 * resolve their schemas, and validate periodic payloads at definition time.
 * @module
 */
import { createHash } from 'node:crypto';
import type { Ajv } from 'ajv';
import { PayloadError, UnknownWorkflowError, WorkflowDefinitionError, type PayloadProblem } from '../errors.js';
import { createAjv, jsonSchemaValidator, valueAt, standardSchemaValidator, type PayloadValidator } from '../payload.js';
import { isStandardSchema } from '../standard-schema.js';
import { compileDefinition, type CompileContext } from './compile.js';
import type { JsonSchema, WorkflowGraph, WorkflowInput } from './spec.js';

/** A registered, compiled workflow. */
export interface WorkflowDefinition {
  readonly fullname: string;
  readonly project: string;
  readonly name: string;
  readonly input: WorkflowInput;
  readonly graph: WorkflowGraph;
  /** Content hash of the graph (runs refer to it). */
  readonly graphId: string;
  /** Validates payloads; undefined when the workflow has no schema. */
  readonly validate: PayloadValidator | undefined;
  /** The JSON Schema (for display and the dashboard), when it is one. */
  readonly jsonSchema: JsonSchema | undefined;
  /** The YAML file it came from. */
  readonly file: string | undefined;
}

/** The schema id a file `schemas/<name>.json` is registered under. */
export function schemaId(name: string): string {
  return `https://celeriac.invalid/schemas/${name}.json`;
}

/** Holds every definition of an app, and the schemas loaded from `schemas/` folders. */
export class Definitions {
  private readonly byName = new Map<string, WorkflowDefinition>();
  private ajvInstance: Ajv | undefined;
  /** Schema name → JSON Schema, for schemas loaded from folders. */
  private readonly schemas = new Map<string, JsonSchema>();

  /** The shared ajv instance (schemas from folders are registered in it, so `$ref` works across files). */
  get ajv(): Ajv {
    this.ajvInstance ??= createAjv();
    return this.ajvInstance;
  }

  /** Register schema files (name → schema) so that definitions can say `schema: name`. */
  addSchemas(schemas: ReadonlyMap<string, JsonSchema>): void {
    for (const [name, schema] of schemas) {
      if (this.schemas.has(name)) continue;
      this.ajv.addSchema({ ...schema, $id: schemaId(name) });
      this.schemas.set(name, schema);
    }
  }

  /** Compile definitions without registering any (all or nothing: any problem throws). */
  prepare(entries: ReadonlyArray<{ fullname: string; input: unknown; file?: string }>): WorkflowDefinition[] {
    const seen = new Set<string>();
    return entries.map(({ fullname, input, file }) => {
      const ctx: CompileContext = { workflow: fullname, ...(file !== undefined ? { file } : {}) };
      if (this.byName.has(fullname) || seen.has(fullname)) {
        const other = this.byName.get(fullname)?.file;
        throw new WorkflowDefinitionError({ ...ctx, key: '' }, `a workflow named ${fullname} is already defined${other ? ` (in ${other})` : ''}`);
      }
      seen.add(fullname);
      const graph = compileDefinition(ctx, input);
      const typed = input as WorkflowInput;
      const { validate, jsonSchema } = this.validatorFor(ctx, typed.schema);
      this.checkPeriodicPayload(ctx, typed, jsonSchema);
      const dot = fullname.indexOf('.');
      const graphId = createHash('sha256').update(JSON.stringify(graph)).digest('hex').slice(0, 24);
      return { fullname, project: fullname.slice(0, dot), name: fullname.slice(dot + 1), input: typed, graph, graphId, validate, jsonSchema, file };
    });
  }

  /** Register prepared definitions. */
  add(definitions: readonly WorkflowDefinition[]): void {
    for (const definition of definitions) this.byName.set(definition.fullname, definition);
  }

  /** A definition by `project.NAME`, or throw {@link UnknownWorkflowError}. */
  get(fullname: string): WorkflowDefinition {
    const definition = this.byName.get(fullname);
    if (!definition) throw new UnknownWorkflowError(fullname);
    return definition;
  }

  /** True when defined. */
  has(fullname: string): boolean {
    return this.byName.has(fullname);
  }

  /** Every definition, by name. */
  list(): WorkflowDefinition[] {
    return [...this.byName.values()].sort((a, b) => a.fullname.localeCompare(b.fullname));
  }

  private validatorFor(ctx: CompileContext, schema: unknown): { validate: PayloadValidator | undefined; jsonSchema: JsonSchema | undefined } {
    if (schema === undefined) return { validate: undefined, jsonSchema: undefined };
    const where = { ...ctx, key: 'schema' };
    if (isStandardSchema(schema)) return { validate: standardSchemaValidator(schema), jsonSchema: undefined };
    if (typeof schema === 'string') {
      const found = this.schemas.get(schema);
      if (!found) throw new WorkflowDefinitionError(where, `schema '${schema}' not found (looked for schemas/${schema}.json)`);
      return { validate: jsonSchemaValidator(this.ajv, schemaId(schema)), jsonSchema: found };
    }
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      throw new WorkflowDefinitionError(where, 'must be a schema name, a JSON Schema object or a Standard Schema');
    }
    try {
      return { validate: jsonSchemaValidator(this.ajv, schema as JsonSchema), jsonSchema: schema as JsonSchema };
    } catch (error) {
      throw new WorkflowDefinitionError(where, `not a valid JSON Schema: ${(error as Error).message}`);
    }
  }

  /** A periodic payload must pass the schema at definition time (Director does not check it). */
  private checkPeriodicPayload(ctx: CompileContext, input: WorkflowInput, schema: JsonSchema | undefined): void {
    if (!input.periodic) return;
    const payload = input.periodic.payload ?? {};
    let problems: readonly PayloadProblem[] = [];
    if (schema !== undefined) problems = syncProblems(this.ajv, typeof input.schema === 'string' ? { $ref: schemaId(input.schema) } : schema, payload);
    else if (isStandardSchema(input.schema)) {
      const result = input.schema['~standard'].validate(payload);
      if (!(result instanceof Promise) && result.issues) problems = result.issues.map((issue) => ({ path: '', message: issue.message, value: undefined }));
    }
    if (problems.length > 0) {
      const error = new PayloadError(ctx.workflow, problems);
      throw new WorkflowDefinitionError({ ...ctx, key: 'periodic.payload' }, `does not validate against the schema: ${error.message.slice(error.message.indexOf(': ') + 2)}`);
    }
  }
}

function syncProblems(ajv: Ajv, schema: JsonSchema, payload: unknown): PayloadProblem[] {
  const validate = ajv.compile(schema);
  if (validate(payload)) return [];
  return (validate.errors ?? []).map((error) => ({ path: error.instancePath, message: error.message ?? error.keyword, value: valueAt(payload, error.instancePath) }));
}
