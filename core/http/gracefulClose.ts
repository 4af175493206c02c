import type { Server, ServerResponse } from 'node:http';

/**
 * Tracks a server's responses so it can be closed gracefully: stop accepting, let in-flight requests
 * finish (each answered with `Connection: close`), drop idle keep-alive sockets, and after `timeoutMs`
 * cut whatever is still open. Call before the first request arrives.
 */
export function gracefulClose(server: Server): (timeoutMs: number) => Promise<void> {
  const inFlight = new Set<ServerResponse>();
  let closing = false;

  // Prepended so it runs before the app handler and sees every request.
  server.prependListener('request', (_request, response: ServerResponse) => {
    inFlight.add(response);
    if (closing) response.setHeader('Connection', 'close');
    response.on('close', () => {
      inFlight.delete(response);
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });

  return (timeoutMs) =>
    new Promise<void>((resolve, reject) => {
      closing = true;
      for (const response of inFlight) if (!response.headersSent) response.setHeader('Connection', 'close');
      const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
      server.close((error) => {
        clearTimeout(timer);
        if (error && (error as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING') reject(error);
        else resolve();
      });
      server.closeIdleConnections();
    });
}
