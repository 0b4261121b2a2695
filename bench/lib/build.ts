/**
 * Compile `src/` and `bench/` to plain JavaScript in `bench/.build/` (TypeScript's transpiler, one
 * file at a time, no type check; Lua and other assets copied), so every process of a run executes
 * compiled JS like BullMQ's published package does, with no TypeScript loader in its CPU time
 * or RSS. Takes about a second.
 * @module
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { extraNodeArgs } from './child.js';

const HERE = fileURLToPath(import.meta.url);
const COMPILED_MARKER = `${sep}bench${sep}.build${sep}`;

/** The repository root, whether this module runs from source or from the compiled tree. */
export const REPO_ROOT = HERE.includes(COMPILED_MARKER) ? HERE.slice(0, HERE.indexOf(COMPILED_MARKER) + 1) : fileURLToPath(new URL('../../', import.meta.url));
/** Where the compiled tree goes. */
export const BUILD_DIR = join(REPO_ROOT, 'bench', '.build');

const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  verbatimModuleSyntax: true,
  sourceMap: false,
};

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === '.build' || entry === 'results') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

/** True when this module is running from the compiled tree. */
export function runningCompiled(): boolean {
  return HERE.includes(COMPILED_MARKER);
}

/** Compile src/, bench/ and scripts/ (shared helpers such as scripts/lib) into {@link BUILD_DIR}; returns how many files were written. */
export function buildCompiledTree(): number {
  rmSync(BUILD_DIR, { recursive: true, force: true });
  let count = 0;
  for (const top of ['src', 'bench', 'scripts']) {
    for (const file of walk(join(REPO_ROOT, top))) {
      const target = join(BUILD_DIR, relative(REPO_ROOT, file));
      mkdirSync(dirname(target), { recursive: true });
      if (file.endsWith('.d.ts')) continue;
      if (file.endsWith('.ts')) {
        const output = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: COMPILER_OPTIONS, fileName: file });
        writeFileSync(target.replace(/\.ts$/, '.js'), output.outputText);
      } else {
        copyFileSync(file, target);
      }
      count += 1;
    }
  }
  writeFileSync(join(BUILD_DIR, 'package.json'), '{ "type": "module" }\n');
  return count;
}

/**
 * Compile src/ and bench/ to JS (unless `BENCH_SKIP_BUILD=1`), then run the compiled `script`
 * (a path under bench/, e.g. `bench/run.js`) with the same arguments; resolves with its exit code.
 */
export async function relaunchCompiled(script: string): Promise<number> {
  if (process.env['BENCH_SKIP_BUILD'] === '1') {
    process.stderr.write(`BENCH_SKIP_BUILD=1: running the existing ${BUILD_DIR}\n`);
  } else {
    const t0 = Date.now();
    const files = buildCompiledTree();
    process.stderr.write(`compiled ${files} files to ${BUILD_DIR} in ${Date.now() - t0} ms\n`);
  }
  const child = spawn(process.execPath, [...extraNodeArgs(), join(BUILD_DIR, script), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.on('SIGINT', () => undefined); // the child, in the same process group, handles Ctrl-C
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}
