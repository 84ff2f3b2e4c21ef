// Runs render.worker.ts from TypeScript sources (tsx, Jest): a worker thread starts as plain Node, without
// the parent's loaders, so tsx is registered here before the worker module is imported. The compiled build
// starts dist/assets/render/render.worker.js directly and never uses this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.sourceEntry);
