import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { csrfSync } from 'csrf-sync';
import type { AppDeps } from './app-deps.js';
import { RouteTable } from './http/route-table.js';
import { errorHandler, methodNotAllowedHandler, notFoundHandler } from './http/error-handler.js';
import { httpErrors } from './http/http.errors.js';
import { shellMiddleware } from './http/shell.js';
import { healthRoutes } from './http/health.routes.js';
import { configureViews } from './views/view-engine.js';
import { PUBLIC_DIR } from './paths.js';
import { requestLogging } from './http/request-logging.js';
import { actorMiddleware, sessionMiddleware } from './auth/session.middleware.js';
import { saveSessionBeforeRedirect } from './auth/save-before-redirect.js';
import { createLoginThrottle } from './auth/login-throttle.js';
import { createAuthService } from './auth/auth.service.js';
import { authRoutes } from './auth/auth.routes.js';
import { createUsersService } from './users/users.service.js';
import { usersRoutes } from './users/users.routes.js';
import { createOrganisationsService } from './organisations/organisations.service.js';
import { organisationsRoutes } from './organisations/organisations.routes.js';
import { createDashboardService } from './dashboard/dashboard.service.js';
import { dashboardRoutes } from './dashboard/dashboard.routes.js';
import { createScormImportService } from '../courses/scorm/scorm-import.service.js';
import { createCourseManagementService } from '../courses/scorm/course-management.service.js';
import { scormRoutes } from '../courses/scorm/scorm.routes.js';
import { createCatalogueService } from '../courses/catalogue/catalogue.service.js';
import { createCourseReportService } from '../courses/catalogue/course-report.service.js';
import { catalogueRoutes } from '../courses/catalogue/catalogue.routes.js';
import { createTrackingService } from '../courses/tracking/tracking.service.js';
import { createPlayerService } from '../courses/player/player.service.js';
import { playerRoutes } from '../courses/player/player.routes.js';
import { createLibraryService } from '../assets/library/library.service.js';
import { libraryRoutes } from '../assets/library/library.routes.js';
import { createCobrandingService } from '../assets/cobranding/cobranding.service.js';
import { cobrandingRoutes } from '../assets/cobranding/cobranding.routes.js';
import { createUsageReportService } from '../assets/analytics/usage.service.js';
import { usageRoutes } from '../assets/analytics/usage.routes.js';
import { createSearchService } from '../search/search.service.js';
import { searchRoutes } from '../search/search.routes.js';
import { createCertificationsService } from '../courses/certifications/certifications.service.js';
import { certificationsRoutes } from '../courses/certifications/certifications.routes.js';
import { createPathsService } from '../courses/paths/paths.service.js';
import { pathsRoutes } from '../courses/paths/paths.routes.js';
import { createGamificationService } from '../courses/gamification/gamification.service.js';
import { gamificationRoutes } from '../courses/gamification/gamification.routes.js';
import { createProgrammeAnalyticsService } from '../courses/programme-analytics/programme-analytics.service.js';
import { programmeAnalyticsRoutes } from '../courses/programme-analytics/programme-analytics.routes.js';

export interface PartnerAcademyApp {
  app: Express;
  /** Every registered route with its access rule; the authorisation matrix test reads it. */
  routes: RouteTable;
}

/** Builds the Express app from ready-made dependencies. Creates no connections of its own. */
export function createApp(deps: AppDeps): PartnerAcademyApp {
  const { config, database, logger } = deps;
  const app = express();
  const routes = new RouteTable();

  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  configureViews(app, { cache: config.viewCache });

  app.use(requestLogging(logger));
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          // Lessons play in a frame from the content origin, never from this one.
          frameSrc: [new URL(config.content.origin).origin],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          // Only over HTTPS: on http://localhost it would rewrite our own stylesheet URLs to https.
          ...(config.secureCookies ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: config.secureCookies ? { maxAge: 15552000, includeSubDomains: true } : false,
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.use('/static', express.static(PUBLIC_DIR, { maxAge: config.env === 'production' ? '1d' : 0, index: false }));

  // Probes stay outside sessions and CSRF: no cookie, no database write.
  const probes = express.Router();
  routes.register(probes, healthRoutes(database, deps.storage));
  app.use(probes);

  // Consulted per request, so routes registered further down count too.
  app.use(methodNotAllowedHandler(routes));
  app.use(express.urlencoded({ extended: false, limit: config.bodyLimit, parameterLimit: 200 }));
  app.use(express.json({ limit: config.bodyLimit }));
  app.use(rejectUnsupportedBodies(routes));
  app.use(sessionMiddleware(config, database.db, deps.sessionSecret, deps.clock));
  app.use(actorMiddleware());
  app.use(saveSessionBeforeRedirect);

  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    getTokenFromRequest: (req) => (typeof req.body?._csrf === 'string' ? req.body._csrf : (req.headers['x-csrf-token'] as string | undefined)),
  });
  // Uploads from a plain form carry their token inside the multipart body: their route checks it after parsing.
  routes.checkDeferredCsrfWith(csrfSynchronisedProtection);
  app.use((req, res, next) => {
    if (!routes.defersCsrf(req)) return csrfSynchronisedProtection(req, res, next);
    res.locals.csrfDeferred = true;
    next();
  });
  app.use(shellMiddleware((req) => generateToken(req)));

  const throttle = createLoginThrottle(config.loginThrottle);
  const router = express.Router();
  const paths = createPathsService(deps);
  const certifications = createCertificationsService(deps);
  const gamification = createGamificationService(deps);
  const programmeAnalytics = createProgrammeAnalyticsService(deps);
  routes.register(router, dashboardRoutes(createDashboardService(deps, { paths, certifications, gamification, analytics: programmeAnalytics, catalogue: createCatalogueService(deps) })));
  routes.register(router, authRoutes(createAuthService(deps, throttle)));
  routes.register(router, organisationsRoutes(createOrganisationsService(deps)));
  routes.register(router, usersRoutes(createUsersService(deps)));
  routes.register(router, scormRoutes(config, createScormImportService(deps), createCourseManagementService(deps)));
  routes.register(router, catalogueRoutes(createCatalogueService(deps), createCourseReportService(deps), paths));
  routes.register(router, playerRoutes(createPlayerService(deps, createCatalogueService(deps), createTrackingService(deps))));
  const cobranding = createCobrandingService(deps);
  const search = createSearchService(deps);
  routes.register(router, libraryRoutes(config, createLibraryService(deps), search, cobranding));
  routes.register(router, cobrandingRoutes(config, cobranding));
  routes.register(router, usageRoutes(createUsageReportService(deps)));
  routes.register(router, searchRoutes(search));
  routes.register(router, certificationsRoutes(certifications));
  routes.register(router, pathsRoutes(paths));
  routes.register(router, gamificationRoutes(gamification));
  routes.register(router, programmeAnalyticsRoutes(programmeAnalytics));
  app.use(router);

  app.use(notFoundHandler());
  app.use(errorHandler(logger, config.bodyLimit));
  return { app, routes };
}

/**
 * A state-changing request must carry a form or JSON body (or none), or multipart where the route takes an
 * upload; anything else gets 415, not a confusing validation error.
 */
function rejectUnsupportedBodies(routes: RouteTable) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (req.method !== 'POST' || !hasBody || req.is(['application/x-www-form-urlencoded', 'application/json'])) return next();
    if (req.is('multipart/form-data') && routes.acceptsMultipart(req.method, req.path)) return next();
    next(httpErrors.unsupportedMediaType(req.headers['content-type'] ?? 'none'));
  };
}
