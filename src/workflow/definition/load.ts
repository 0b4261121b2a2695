/**
 * `app.workflows.load(dir)`: every `*.yml` / `*.yaml` file of a folder (Director's layout), with the
 * JSON Schemas of its `schemas/` folder (subfolders give names like `foo/bar`; `$ref` works across
 * files). A file with any problem loads nothing, and the error names the file, workflow and key.
 * @module
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { WorkflowDefinitionError } from '../errors.js';
import type { Definitions, WorkflowDefinition } from './definitions.js';
import type { JsonSchema } from './spec.js';

async function listFiles(dir: string, match: (name: string) => boolean, recursive: boolean): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && recursive) files.push(...(await listFiles(path, match, true)));
    else if (entry.isFile() && match(entry.name)) files.push(path);
  }
  return files;
}

/** Read `dir/schemas/**\/*.json` into name → schema. */
async function readSchemas(dir: string): Promise<Map<string, JsonSchema>> {
  const root = join(dir, 'schemas');
  const schemas = new Map<string, JsonSchema>();
  for (const file of await listFiles(root, (name) => name.endsWith('.json'), true)) {
    const name = relative(root, file).split(sep).join('/').replace(/\.json$/, '');
    let schema: unknown;
    try {
      schema = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new WorkflowDefinitionError({ file, workflow: '', key: '' }, `not valid JSON: ${(error as Error).message}`);
    }
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new WorkflowDefinitionError({ file, workflow: '', key: '' }, 'a schema file holds one JSON object');
    schemas.set(name, schema as JsonSchema);
  }
  return schemas;
}

/** Load a folder into `definitions`; returns what was added. */
export async function loadFolder(definitions: Definitions, dir: string): Promise<WorkflowDefinition[]> {
  const { parseDocument } = await import('yaml');
  definitions.addSchemas(await readSchemas(dir));
  const loaded: WorkflowDefinition[] = [];
  for (const file of await listFiles(dir, (name) => /\.ya?ml$/.test(name), false)) {
    const document = parseDocument(await readFile(file, 'utf8'), { uniqueKeys: true });
    if (document.errors.length > 0) {
      const first = document.errors[0]!;
      throw new WorkflowDefinitionError({ file, workflow: '', key: '' }, `malformed YAML: ${first.message.split('\n')[0]}`);
    }
    const content: unknown = document.toJS() ?? {};
    if (typeof content !== 'object' || content === null || Array.isArray(content)) {
      throw new WorkflowDefinitionError({ file, workflow: '', key: '' }, 'a workflow file maps workflow names (project.NAME) to definitions');
    }
    const prepared = definitions.prepare(Object.entries(content).map(([fullname, input]) => ({ fullname, input, file })));
    definitions.add(prepared);
    loaded.push(...prepared);
  }
  return loaded;
}
