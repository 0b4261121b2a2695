/**
 * The shared broker conformance suite against the RabbitMQ adapter (queues `celeriac_test_amqp_conf_*`,
 * declared with `x-max-priority` so that priorities are served, higher first).
 */
import { afterAll, beforeAll } from 'vitest';
import { AmqpBroker } from '../../src/broker/amqp.js';
import { AMQP_TEST_PREFIX, AMQP_TEST_URL, deleteTestQueues, holdRabbitMqShared, requireRabbitMq } from '../helpers/amqp.js';
import { brokerConformance } from './broker.suite.js';

let release: () => void = () => undefined;
beforeAll(async () => {
  release = await holdRabbitMqShared();
  await requireRabbitMq();
});
afterAll(() => release());

brokerConformance('amqp', async () => new AmqpBroker({ url: AMQP_TEST_URL, maxPriority: 10 }), {
  priorityOrder: 'higher-first',
  queuePrefix: `${AMQP_TEST_PREFIX}conf_`,
  dropQueue: (_broker, queue) => deleteTestQueues([queue]),
});
