/**
 * Interop matrix: RabbitMQ broker, json then msgpack, results in Redis DB 12. Both combinations
 * share DB 12, so they live in one file and run one after the other.
 */
import { combo } from './combos.js';
import { describeCombination } from './suite.js';

describeCombination(combo('amqp', 'json', 12));
describeCombination(combo('amqp', 'msgpack', 12));
