/**
 * Every error the server answers with: a status code and a JSON body `{"error": "..."}` in
 * Director's shape, never a stack trace. Workflow-layer errors map to their statuses here.
 * @module
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { formatProblem, PayloadError, UnknownRunError, UnknownWorkflowError, WorkflowStateError } from '../workflow/errors.js';
import { EventDataError, EventNameError, NodeNotWaitingError } from '../workflow/signal-errors.js';
import type { Logger } from '../logger.js';

/** An error with the HTTP status and body to answer with. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Director's 401 body (flask-httpauth's error handler there). */
export const UNAUTHORIZED_BODY = { status: 401, error: 'unauthorized', message: 'Please authenticate to access this API.' } as const;

/** The status and body for an error thrown by a route, a hook or fastify itself. */
export function errorResponse(error: unknown): { status: number; body: Record<string, unknown> } {
  if (error instanceof HttpError) return { status: error.statusCode, body: { error: error.message, ...error.extra } };
  if (error instanceof PayloadError) {
    return { status: 400, body: { error: 'Payload is not valid', errors: error.problems.map(formatProblem), problems: error.problems } };
  }
  if (error instanceof UnknownWorkflowError) return { status: 404, body: { error: `Workflow ${error.workflow} not found` } };
  if (error instanceof UnknownRunError) return { status: 404, body: { error: `Workflow ${error.runId} not found` } };
  if (error instanceof WorkflowStateError || error instanceof NodeNotWaitingError) return { status: 409, body: { error: error.message } };
  if (error instanceof EventNameError || error instanceof EventDataError) return { status: 400, body: { error: error.message } };
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    const errors = fastifyError.validation.map((v) => `${fastifyError.validationContext ?? 'request'}${v.instancePath ? v.instancePath.replaceAll('/', '.') : ''} ${v.message ?? v.keyword}${v.keyword === 'additionalProperties' ? ` ('${String(v.params['additionalProperty'])}' was unexpected)` : ''}`);
    return { status: 400, body: { error: 'Error validating against schema', errors } };
  }
  const code = fastifyError.code;
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (fastifyError.statusCode === 400 && error instanceof SyntaxError)) return { status: 400, body: { error: 'Malformed JSON body' } };
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return { status: 400, body: { error: 'Empty JSON body' } };
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { status: 415, body: { error: 'Unsupported content type: send application/json' } };
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, body: { error: 'Request body is too large' } };
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return { status, body: { error: fastifyError.message ?? 'Bad request' } };
  return { status: 500, body: { error: 'Internal server error' } };
}

/** The fastify error handler: answer with {@link errorResponse}; log server errors (without secrets). */
export function errorHandler(logger: Logger) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    const { status, body } = errorResponse(error);
    if (status >= 500) logger.error({ method: request.method, url: request.url.split('?')[0], error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }, 'request failed');
    void reply.code(status).type('application/json; charset=utf-8').send(body);
  };
}
