/**
 * The Redis broker's shared state: the command connection, key builder, options, batched acks,
 * the lease registry and the atomic settle operation. Consumers, deliveries, the visibility sweep
 * and the delayed-message promoter all work through one core.
 * @module
 */
import type { Redis } from 'ioredis';
import { TransportError } from '../../errors.js';
import { AckBatcher } from './acks.js';
import { closeClient, createRedisClient, isFatalConnectError, openClient, retryUntil } from '../../redis/connection.js';
import { RedisBrokerKeys } from './keys.js';
import { DeliveryLeases } from './leases.js';
import type { ResolvedRedisBrokerOptions } from './options.js';
import { defineBrokerScripts, runScript, type BrokerScriptName, type ScriptArg } from './scripts.js';

/** How a settlement moves the message (see `lua/settle.lua`). */
export type SettleMode = 'lpush' | 'rpush' | 'zadd';

/** Shared state and primitives of one {@link RedisBroker}. */
export class BrokerCore {
  readonly keys: RedisBrokerKeys;
  readonly acks: AckBatcher;
  readonly leases: DeliveryLeases;
  private commandClient: Redis | undefined;
  private connecting: Promise<void> | undefined;
  private readonly declared = new Set<string>();
  private readonly declaring = new Map<string, Promise<void>>();

  constructor(readonly options: ResolvedRedisBrokerOptions) {
    this.keys = new RedisBrokerKeys(options.keyPrefix, options.prioritySteps);
    this.acks = new AckBatcher(() => this.client(), this.keys.unacked, this.keys.unackedIndex, options.operationTimeoutMs);
    this.leases = new DeliveryLeases(
      (tags) => this.script('refresh', [this.keys.unackedIndex], tags),
      options.leaseRefreshIntervalMs,
      options.onError,
    );
  }

  /** Open the command connection (idempotent). */
  connect(): Promise<void> {
    this.connecting ??= (async () => {
      const client = createRedisClient(this.options.url, this.options.connectionName, 'cmd', this.options.onError, this.options.tls);
      defineBrokerScripts(client);
      this.commandClient = client;
      try {
        await openClient(client, this.options.url);
      } catch (error) {
        if (isFatalConnectError(error)) {
          this.connecting = undefined;
          this.commandClient = undefined;
          throw error;
        }
        // ioredis keeps reconnecting in the background; commands retry under their deadlines.
        this.options.onError(error as Error);
      }
    })();
    return this.connecting;
  }

  /** The command connection. Throws when {@link connect} was never called. */
  client(): Redis {
    if (!this.commandClient) throw new TransportError('Redis broker is not connected');
    return this.commandClient;
  }

  /** The epoch-ms deadline for an operation starting now. */
  deadline(): number {
    return Date.now() + this.options.operationTimeoutMs;
  }

  /** Run a broker script once (no retry). */
  script(name: BrokerScriptName, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    return runScript(this.client(), name, keys, args);
  }

  /**
   * Settle a held delivery and move its message atomically (`lua/settle.lua`), retrying through
   * reconnects. Resolves true when this client still owned the delivery.
   */
  async settle(tag: string, mode: SettleMode, destination: string, payload: string, score = 0, cap = 0): Promise<boolean> {
    const reply = await retryUntil(this.deadline(), `settle (${mode})`, () =>
      this.script('settle', [this.keys.unacked, this.keys.unackedIndex, destination], [tag, mode, payload, score, cap]),
    );
    return reply === 1;
  }

  /** Declare kombu's binding for `queue` once per broker instance (`_kombu.binding.<queue>`). */
  /** True once `queue` was declared by this broker (publishes skip declaring it again). */
  isDeclared(queue: string): boolean {
    return this.declared.has(queue);
  }

  /** Declare `queue` (kombu's binding set); concurrent calls for one queue share one SADD. */
  async declareQueue(queue: string): Promise<void> {
    if (this.declared.has(queue)) return;
    let declaring = this.declaring.get(queue);
    if (!declaring) {
      declaring = retryUntil(this.deadline(), `declare queue ${queue}`, () => this.client().sadd(this.keys.bindingSet(queue), this.keys.bindingMember(queue)))
        .then(() => void this.declared.add(queue))
        .finally(() => this.declaring.delete(queue));
      this.declaring.set(queue, declaring);
    }
    await declaring;
  }

  /** Close the command connection. */
  async close(): Promise<void> {
    this.leases.stop();
    const client = this.commandClient;
    this.commandClient = undefined;
    this.connecting = undefined;
    this.declared.clear();
    if (client) await closeClient(client);
  }
}
