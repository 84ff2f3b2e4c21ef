import type { Express } from 'express';
import { create } from 'express-handlebars';
import path from 'node:path';
import { VIEWS_DIR } from '../paths.js';
import { helpers } from './helpers/index.js';

export function configureViews(app: Express, options: { cache: boolean }): void {
  const engine = create({
    extname: '.hbs',
    defaultLayout: 'main',
    layoutsDir: path.join(VIEWS_DIR, 'layouts'),
    partialsDir: path.join(VIEWS_DIR, 'partials'),
    helpers,
  });
  app.engine('.hbs', engine.engine);
  app.set('view engine', '.hbs');
  app.set('views', VIEWS_DIR);
  app.set('view cache', options.cache);
}
