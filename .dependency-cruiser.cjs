/**
 * Import boundaries (DESIGN.md §1): imports go one way,
 *   protocol → canvas → broker/backend → result → publish → worker → app/task/cli
 * (redis/ holds connection support that both Redis adapters share.)
 * (read "may be imported by"). Only runtime imports count: `import type` is erased at build time.
 */
const layer = (name, forbidden, comment) => ({
  name: `${name}-boundary`,
  severity: 'error',
  comment,
  from: { path: `^src/${name}/` },
  to: { path: forbidden.map((f) => `^src/${f}`) },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'No import cycles.', from: {}, to: { circular: true } },
    layer('protocol', ['canvas/', 'broker/', 'backend/', 'result/', 'publish/', 'worker/', 'cli/', 'app', 'task'], 'protocol/ is the wire format: it depends on nothing above it.'),
    layer('canvas', ['broker/', 'backend/', 'result/', 'publish/', 'worker/', 'cli/', 'app', 'task'], 'canvas/ is pure values: no I/O, no adapters.'),
    layer('broker', ['canvas/', 'backend/', 'result/', 'publish/', 'worker/', 'cli/', 'app', 'task'], 'broker/ never imports canvas/ (or anything above it).'),
    layer('backend', ['canvas/', 'broker/', 'result/', 'publish/', 'worker/', 'cli/', 'app', 'task'], 'backend/ is independent of the broker and the canvas.'),
    layer('result', ['broker/', 'publish/', 'worker/', 'cli/', 'app', 'task'], 'result/ never imports broker/.'),
    layer('publish', ['worker/', 'cli/', 'app', 'task'], 'publish/ is used by the worker and the app, not the other way round.'),
    layer('worker', ['cli/', 'app', 'task', 'workflow/'], 'worker/ gets its dependencies injected by the app (the workflow layer plugs in through worker/hooks.ts).'),
    layer('workflow', ['cli/', 'app', 'task', 'server/'], 'workflow/ sits on the canvas core; the app wires it, the CLI and server use it.'),
    layer('schedule', ['canvas/', 'broker/', 'backend/', 'result/', 'publish/', 'worker/', 'cli/', 'app', 'task'], 'schedule/ gets sending and workflows injected by the app (schedule/wire.ts).'),
    layer('redis', ['canvas/', 'broker/', 'backend/', 'result/', 'publish/', 'worker/', 'cli/', 'app', 'task', 'protocol/'], 'redis/ is connection support shared by the Redis broker and backend; it knows neither.'),
    {
      name: 'server-only-from-cli',
      severity: 'error',
      comment: 'server/ (HTTP framework, metrics, dashboard) is a subpath export: only cli/ may import it, so the core never loads it.',
      from: { path: '^src/', pathNot: ['^src/server/', '^src/cli/'] },
      to: { path: '^src/server/' },
    },
    layer('server', ['cli/'], 'server/ is used by the CLI, not the other way round.'),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: false,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
