/**
 * `npm test`'s `pretest` step: makes sure what the suite needs is there, so that `npm install &&
 * npm test` passes on a fresh machine of the project's kind (Debian, Node 20).
 *
 * - Debian packages: `redis-server` and `rabbitmq-server` (the suite starts private redis-servers
 *   and drives `rabbitmqctl`), and the Python Celery 5.2.6 peer (python3-celery python3-redis
 *   python3-amqp python3-msgpack), installed with apt-get when missing;
 * - Redis at CELERIAC_TEST_REDIS_HOST:CELERIAC_TEST_REDIS_PORT (default 127.0.0.1:6379) and
 *   RabbitMQ at CELERIAC_TEST_AMQP_URL (default guest@127.0.0.1:5672, vhost `/`): started when
 *   they do not answer and are on this machine; a missing vhost is created.
 *
 * What it cannot do (not root, no apt-get, a remote service that is down) ends the run with ONE
 * message that lists the exact commands to run. It never skips anything silently.
 * @module
 */
import { CELERY_PEER_PACKAGES, CELERY_PEER_VERSION, findCeleryPython, forgetCeleryPython } from './lib/celery-python.js';
import { AMQP_TARGET, amqpStatus, amqpTargetParts, debianInstalled, isLocal, onPath, REDIS_TARGET, redisAnswers, run, waitUntil } from './lib/services.js';

const log = (line: string): void => void process.stdout.write(`[provision] ${line}\n`);
const root = process.getuid?.() === 0;
const sudo = root ? '' : 'sudo ';
const canInstall = root && onPath('apt-get');
const canAdminister = (): boolean => root && onPath('rabbitmqctl');
/** Commands the user must run, in order (one message at the end). */
const todo: string[] = [];
/** Why they are needed. */
const reasons: string[] = [];
const amqpParts = amqpTargetParts();
const redisCommand = `redis-server --daemonize yes --bind 127.0.0.1 --port ${REDIS_TARGET.port} --save '' --appendonly no`;
const pythonOverride = process.env['CELERIAC_INTEROP_PYTHON'];

function missingPackages(): string[] {
  const missing: string[] = [];
  for (const [name, command] of [['redis-server', 'redis-server'], ['rabbitmq-server', 'rabbitmqctl']] as const) {
    if (!(debianInstalled(name) ?? onPath(command))) missing.push(name);
  }
  if (!pythonOverride && findCeleryPython(undefined)?.celeryVersion !== CELERY_PEER_VERSION) missing.push(...CELERY_PEER_PACKAGES);
  // Headless Chromium for the dashboard's browser tests (driven by playwright-core; never downloaded).
  if (!(debianInstalled('chromium') ?? onPath('chromium'))) missing.push('chromium');
  return missing;
}

function installPackages(): void {
  const missing = missingPackages();
  if (missing.length === 0) return;
  const install = `apt-get install -y ${missing.join(' ')}`;
  if (canInstall) {
    log(`installing ${missing.join(' ')}`);
    const installed = run('apt-get', ['update', '-qq']) && run('apt-get', ['install', '-y', '-qq', ...missing]);
    forgetCeleryPython();
    if (installed) return;
  }
  reasons.push(`Debian packages missing: ${missing.join(' ')}`);
  todo.push(`${sudo}apt-get update && ${sudo}${install}`);
}

async function ensureRedis(): Promise<void> {
  if (await redisAnswers()) return;
  const where = `${REDIS_TARGET.host}:${REDIS_TARGET.port}`;
  if (isLocal(REDIS_TARGET.host) && onPath('redis-server')) {
    log(`starting redis-server on ${where}`);
    if (run('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(REDIS_TARGET.port), '--save', '', '--appendonly', 'no']) && (await waitUntil(redisAnswers, 30_000))) return;
  }
  reasons.push(`Redis does not answer on ${where}`);
  todo.push(isLocal(REDIS_TARGET.host) ? redisCommand : `start Redis on ${where}, or point CELERIAC_TEST_REDIS_HOST/PORT at one that runs`);
}

async function ensureRabbitMq(): Promise<void> {
  let status = await amqpStatus();
  if (status === 'ok') return;
  const local = isLocal(amqpParts.host);
  // A rabbitmq-server started here listens on 5672; for another port the user knows what runs there.
  const startable = local && amqpParts.port === 5672;
  if (status === 'down' && startable && canAdminister()) {
    log(`starting rabbitmq-server for ${amqpParts.host}:${amqpParts.port}`);
    run('rabbitmq-server', ['-detached']);
    run('rabbitmqctl', ['-q', 'await_startup', '--timeout', '120'], 130_000);
    run('rabbitmqctl', ['-q', 'start_app']); // an app stopped by an interrupted outage test
    await waitUntil(async () => (status = await amqpStatus()) !== 'down', 120_000);
  }
  const addVhost = `rabbitmqctl add_vhost '${amqpParts.vhost}' && rabbitmqctl set_permissions -p '${amqpParts.vhost}' '${amqpParts.user}' '.*' '.*' '.*'`;
  if (status === 'no-vhost' && local && canAdminister()) {
    log(`creating RabbitMQ vhost ${amqpParts.vhost}`);
    run('rabbitmqctl', ['-q', 'add_vhost', amqpParts.vhost]);
    run('rabbitmqctl', ['-q', 'set_permissions', '-p', amqpParts.vhost, amqpParts.user, '.*', '.*', '.*']);
    status = await amqpStatus();
  }
  if (status === 'ok') return;
  const where = AMQP_TARGET.replace(/\/\/[^@/]*@/, '//');
  const why = { down: 'does not answer', refused: 'refuses the user or password', 'no-vhost': `has no vhost ${amqpParts.vhost} for ${amqpParts.user}` }[status];
  reasons.push(`RabbitMQ at ${where} ${why}`);
  if (status === 'no-vhost' && local) todo.push(addVhost.replaceAll('rabbitmqctl', `${sudo}rabbitmqctl`));
  else if (status === 'down' && startable) todo.push(`${sudo}rabbitmq-server -detached && ${sudo}rabbitmqctl await_startup && ${sudo}rabbitmqctl start_app`);
  else todo.push('fix CELERIAC_TEST_AMQP_URL (or start the RabbitMQ it names)');
}

function checkPython(): void {
  const found = findCeleryPython(pythonOverride);
  if (found?.celeryVersion === CELERY_PEER_VERSION) return;
  if (pythonOverride) {
    reasons.push(`CELERIAC_INTEROP_PYTHON=${pythonOverride} does not import Celery ${CELERY_PEER_VERSION} with kombu, amqp, redis and msgpack`);
    todo.push(`unset CELERIAC_INTEROP_PYTHON, or point it at an interpreter that has them`);
  } else if (!reasons.some((reason) => reason.startsWith('Debian packages'))) {
    reasons.push(`no python3 on PATH imports Celery ${CELERY_PEER_VERSION} (found ${found ? `${found.celeryVersion} at ${found.executable}` : 'none'})`);
    todo.push(`${sudo}apt-get install -y --reinstall ${CELERY_PEER_PACKAGES.join(' ')}`);
  }
}

installPackages();
if (!root && !onPath('rabbitmqctl')) {
  // The RabbitMQ outage tests run `rabbitmqctl stop_app/start_app`, which needs root.
  reasons.push('the RabbitMQ outage tests run rabbitmqctl, which is not on the PATH of this user');
  todo.push('sudo npm test   (as root, where rabbitmqctl is on PATH)');
}
await ensureRedis();
await ensureRabbitMq();
checkPython();

if (todo.length > 0) {
  process.stderr.write(
    `\n[provision] npm test cannot run yet: ${reasons.join('; ')}.\n` +
      `Run${root ? '' : ' (needs root)'}:\n${todo.map((command) => `  ${command}`).join('\n')}\n` +
      'then run npm test again. (CELERIAC_TEST_REDIS_PORT, CELERIAC_TEST_AMQP_URL and CELERIAC_INTEROP_PYTHON point the tests at other services.)\n\n',
  );
  process.exit(1);
}
const python = findCeleryPython(pythonOverride);
log(`ready: Redis ${REDIS_TARGET.host}:${REDIS_TARGET.port}, RabbitMQ ${amqpParts.host}:${amqpParts.port} vhost ${amqpParts.vhost}, Celery ${python?.celeryVersion} (${python?.executable})`);
