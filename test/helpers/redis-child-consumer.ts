/**
 * A child process for the SIGKILL redelivery test: consumes `<queue>` from `<url>` and never
 * settles anything; prints `ready` once consuming and `got <id>` per delivery. The test kills it
 * with SIGKILL. Usage: `node --import tsx test/helpers/redis-child-consumer.ts <url> <queue> <visibilityMs>`.
 */
import { RedisBroker } from '../../src/broker/redis.js';

const [url, queue, visibility] = process.argv.slice(2);
if (!url || !queue || !visibility) {
  process.stderr.write('usage: redis-child-consumer.ts <url> <queue> <visibilityTimeoutMs>\n');
  process.exit(2);
}
const broker = new RedisBroker({ url, visibilityTimeoutMs: Number(visibility) });
await broker.consume([queue], {
  prefetch: 10,
  onMessage: (delivery) => {
    process.stdout.write(`got ${String(delivery.message.headers['id'])}\n`);
  },
});
process.stdout.write('ready\n');
