/**
 * `celeriac/server`: the REST API (Director's endpoints and celeriac's), metrics and the dashboard.
 * Kept out of the core package: import it from `celeriac/server`.
 * @module
 */
export { serve, createServer, isLoopback, type ServeOptions, type RunningServer } from './server.js';
export { hashPassword, verifyPassword, type AuthOptions } from './auth.js';
export type { WorkerInfo, ScheduleRow, ExtraProviders } from './routes/extras.js';
export { workflowJson, taskJson, workflowWithTasks, definitionJson } from './director.js';
export { redisWorkers, type RedisWorkersOptions } from './workers.js';
