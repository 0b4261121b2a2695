/**
 * The transport-independent half of a pidbox listener (kombu's `Node`): decodes a request, decides
 * whether it is for this node, runs the command against the {@link ControlTarget}, and hands a
 * reply to the transport when the client asked for one. Keeps the node's Lamport clock.
 *
 * Commands: see `inspect.ts` (revoke, terminate, ping and Celery's inspect/control commands). Any
 * other command is answered with `{"error": ...}` when a reply is wanted, and ignored otherwise, as
 * Celery does.
 * @module
 */
import { MessageDecodeError } from '../../errors.js';
import { serializerForContentType } from '../../protocol/serializer.js';
import { COMMANDS } from './inspect.js';
import { decodeControlRequest, isAddressedTo, type ControlRequest } from './request.js';
import type { ControlLogger, ControlTarget, RawControlMessage, ReplySender } from './types.js';

/** The remote-control node of one worker. */
export class ControlNode {
  private clockValue = 0;

  constructor(
    private readonly target: ControlTarget,
    private readonly logger: ControlLogger,
  ) {}

  /** The node's Lamport clock. */
  get clock(): number {
    return this.clockValue;
  }

  /**
   * Handle one raw request. Never throws: undecodable requests and failing commands are logged;
   * a failing reply is logged too (the client simply times out, as with Celery).
   */
  async receive(raw: RawControlMessage, sendReply: ReplySender): Promise<void> {
    let request: ControlRequest;
    try {
      request = decodeControlRequest(raw);
    } catch (error) {
      const reason = error instanceof MessageDecodeError ? error.reason : 'undecodable';
      this.logger.error({ reason, error: String(error) }, 'ignored an undecodable remote-control request');
      return;
    }
    this.clockValue = Math.max(this.clockValue, request.clock) + 1;
    if (!isAddressedTo(request, this.target.hostname)) return;
    const reply = await this.run(request);
    if (!request.replyTo) return;
    try {
      const serializer = serializerForContentType(raw.contentType);
      await sendReply(request.replyTo, {
        body: serializer.encode({ [this.target.hostname]: reply }),
        contentType: serializer.contentType,
        contentEncoding: serializer.contentEncoding,
        headers: { ticket: request.ticket, clock: this.forward() },
      });
    } catch (error) {
      this.logger.error({ method: request.method, error: String(error) }, 'could not send a remote-control reply');
    }
  }

  private async run(request: ControlRequest): Promise<unknown> {
    const command = Object.hasOwn(COMMANDS, request.method) ? COMMANDS[request.method] : undefined;
    if (!command) {
      this.logger.warn(`no such remote-control command: ${request.method}`);
      return { error: `No such control command: ${request.method}` };
    }
    try {
      const reply = await command(this.target, request, this.clockValue);
      if (request.method === 'ping') this.logger.debug({ arguments: request.arguments }, 'remote control: ping');
      else this.logger.info({ arguments: request.arguments }, `remote control: ${request.method}`);
      return reply;
    } catch (error) {
      this.logger.error({ method: request.method, error: String(error) }, 'remote-control command failed');
      return { error: String(error) };
    }
  }

  private forward(): number {
    this.clockValue += 1;
    return this.clockValue;
  }
}
