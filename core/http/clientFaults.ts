import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Ids } from '../ids.js';
import type { Logger } from '../logger.js';

/**
 * Socket and parser failures a client causes: a malformed frame (llhttp's `HPE_*` codes), a connection
 * reset or closed mid-request, a request that took too long to arrive. They say nothing about the
 * server's health, so they are logged at debug level, never as server errors.
 */
const clientCodes = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_HTTP_REQUEST_TIMEOUT', 'ABORT_ERR']);

export function isClientFault(error: unknown): boolean {
  const { code, status, expose } = (error ?? {}) as { code?: unknown; status?: unknown; expose?: unknown };
  if (typeof code === 'string' && (code.startsWith('HPE_') || clientCodes.has(code))) return true;
  return typeof status === 'number' && status >= 400 && status < 500 && expose === true;
}

/** node's answers to a frame it cannot parse, with a JSON body in the server's error shape. */
function rawAnswer(code: string | undefined, requestId: string, withBody: boolean): string {
  const [status, reason, description] =
    code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'request headers are too large']
      : code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
        ? [413, 'Payload Too Large', 'chunk extensions are too large']
        : code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', 'the request did not arrive in time']
          : [400, 'Bad Request', 'the request is not well-formed HTTP'];
  const body = withBody ? JSON.stringify({ error: 'invalid_request', error_description: description }) : '';
  return (
    `HTTP/1.1 ${status} ${reason}\r\n${body ? 'Content-Type: application/json\r\n' : ''}Content-Length: ${Buffer.byteLength(body)}\r\n` +
    `X-Request-Id: ${requestId}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`
  );
}

/**
 * Takes over node's `clientError` handling: the frame is answered as node would (400, 431, 408) but with
 * a JSON body and a request id, the socket is closed, and one debug line with that id records it.
 * As in node, nothing is written once a response to this socket has started. The answer goes to the
 * request in flight on the socket, if any: after a HEAD (whose answer has no body) it carries none.
 */
export function answerClientErrors(server: Server, { logger, ids }: { logger: Logger; ids: Ids }): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const requestId = ids.uuid();
    logger.debug({ reqId: requestId, code: error.code, reason: error.message }, 'malformed request refused');
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean; req?: { method?: string } } })._httpMessage;
    if (error.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent) {
      socket.end(rawAnswer(error.code, requestId, inFlight?.req?.method !== 'HEAD'));
    }
    socket.destroy();
  });
}
