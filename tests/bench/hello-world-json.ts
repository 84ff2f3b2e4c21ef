/**
 * A second, reference baseline for the commit benchmark: a bare Express 5 app whose one route takes the same JSON
 * bodies as the LMS commit endpoint (express.json, 2 MB limit) and answers what the endpoint answers, with no
 * validation, database or anything else. Run as its own process by the bench; prints `listening <port>`.
 */
import express from 'express';

const app = express();
app.post('/commit', express.json({ limit: '2mb' }), (req, res) => {
  const sequence = (req.body as { sequence?: unknown } | undefined)?.sequence;
  res.json({ result: true, errorCode: 0, sequence });
});

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : '?'}\n`);
});
server.keepAliveTimeout = 65_000;

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
