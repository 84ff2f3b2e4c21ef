import type { AppConfig } from '../config/config.js';
import { createLocalStorage } from './local.driver.js';
import { createS3Storage } from './s3.driver.js';
import type { Storage } from './storage.js';

export function createStorage(config: AppConfig['storage']): Storage {
  switch (config.kind) {
    case 'local':
      return createLocalStorage({ root: config.root });
    case 's3':
      return createS3Storage(config);
  }
}
