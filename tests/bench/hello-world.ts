/**
 * The baseline: a bare Express 5 app with one route, no middleware. Run as its own process by the bench;
 * prints `listening <port>` once it accepts connections.
 */
import express from 'express';

const app = express();
app.get('/', (_req, res) => {
  res.send('Hello World!');
});

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : '?'}\n`);
});
server.keepAliveTimeout = 65_000;

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
