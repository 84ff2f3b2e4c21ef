import type { RouteSpec } from './route-table.js';
import type { DatabaseHandle } from '../db/database.js';
import type { Storage } from '../storage/storage.js';

const withTimeout = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

/** /healthz: the process answers. /readyz: the database and storage answer too (load balancers route on this). */
export function healthRoutes(database: DatabaseHandle, storage: Storage): RouteSpec[] {
  return [
    { method: 'get', path: '/healthz', access: 'public', handler: (_req, res) => void res.json({ status: 'ok' }) },
    {
      method: 'get',
      path: '/readyz',
      access: 'public',
      handler: async (_req, res) => {
        const check = async (probe: () => Promise<void>) => {
          try {
            await withTimeout(probe(), 2000);
            return 'ok';
          } catch (err) {
            return `unavailable: ${(err as Error).message}`;
          }
        };
        const [db, files] = await Promise.all([check(() => database.ping()), check(() => storage.ping())]);
        const ready = db === 'ok' && files === 'ok';
        res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: { database: db, storage: files } });
      },
    },
  ];
}
