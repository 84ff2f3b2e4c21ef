import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from '../logging/logger.js';

export interface RunningServer {
  server: http.Server;
  port: number;
  /** Stops accepting connections, lets in-flight requests finish (up to timeoutMs), then closes the rest. */
  stop(timeoutMs: number): Promise<void>;
}

export async function startHttpServer(app: Express, options: { port: number; host?: string | undefined; logger: Logger }): Promise<RunningServer> {
  const server = http.createServer(app);
  // Slightly above common load balancer idle timeouts, so the balancer closes first.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    stop(timeoutMs) {
      return new Promise<void>((resolve) => {
        const forceTimer = setTimeout(() => {
          options.logger.warn('shutdown timeout reached; closing remaining connections');
          server.closeAllConnections();
        }, timeoutMs);
        forceTimer.unref();
        server.close(() => {
          clearTimeout(forceTimer);
          resolve();
        });
        // Idle keep-alive sockets would otherwise hold close() open; busy ones finish their request first.
        server.closeIdleConnections();
      });
    },
  };
}
