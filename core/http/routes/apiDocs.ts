import { Router } from '@koa/router';
import { createReadStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Cradle } from '../../cradle.js';
import { packageRoot } from '../../packageRoot.js';
import type { ErrorRenderer } from '../errorRenderers.js';
import { openApiDocument } from '../openapi/openApiDocument.js';
import { describeRoute } from '../openapi/routeDescription.js';
import type { AppRouter, AppState } from '../types.js';

const OPERATIONS = 'Operations';

/** swagger-ui-dist's files, served by otpledger itself (no CDN): the page works offline and under a strict CSP. */
const swaggerUiDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const assets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const version = (JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** Swagger UI needs inline styles and data: images; nothing else leaves this origin. */
const pageSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

const openApiObject = { type: 'object', required: ['openapi', 'info', 'paths'], properties: { openapi: { const: '3.1.0' } } } as const;

/**
 * `GET /openapi.json`: the OpenAPI 3.1 document of every route of `routers` (this module's among them), built from
 * their descriptions (`describeRoute`) when first asked and kept while the issuer stays the same. `GET /docs`: a
 * page rendering it with Swagger UI, its assets under `/docs/`.
 */
export function apiDocsRoutes(
  cradle: Pick<Cradle, 'issuer' | 'logger'>,
  routers: () => readonly AppRouter[],
  errorRenderers: readonly ErrorRenderer[],
): AppRouter {
  const router = new Router<AppState>();
  let built: { issuer: string; json: string } | undefined;

  const documentJson = (): string => {
    const { issuer } = cradle; // read per request: registered again once the server listens
    if (built?.issuer === issuer) return built.json;
    const { document, undescribed } = openApiDocument(routers(), {
      title: 'otpledger',
      version,
      serverUrl: issuer.replace(/\/+$/, ''),
      errorRenderers,
    });
    if (undescribed.length > 0)
      cradle.logger.warn({ routes: undescribed }, 'openapi: routes without a description are left out of /openapi.json');
    built = { issuer, json: JSON.stringify(document) };
    return built.json;
  };
  const base = () => new URL(cradle.issuer).pathname.replace(/\/+$/, '');

  describeRoute(router, 'GET /openapi.json', {
    summary: 'This API description (OpenAPI 3.1)',
    tag: OPERATIONS,
    responses: { 200: { description: 'the OpenAPI document of every route this server serves', body: openApiObject } },
  });
  router.get('/openapi.json', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.type = 'application/json';
    ctx.body = documentJson();
  });

  describeRoute(router, 'GET /docs', {
    summary: 'The API description as a page (Swagger UI)',
    tag: OPERATIONS,
    responses: { 200: { description: 'an HTML page rendering /openapi.json', contentType: 'text/html', body: { type: 'string' } } },
  });
  router.get('/docs', (ctx) => {
    const prefix = base();
    ctx.set({ 'Content-Security-Policy': pageSecurityPolicy, 'Cache-Control': 'no-cache' });
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>otpledger API</title>
<link rel="icon" href="${prefix}/docs/favicon-32x32.png"><link rel="stylesheet" href="${prefix}/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="${prefix}/docs/swagger-ui-bundle.js"></script><script src="${prefix}/docs/initializer.js"></script></body>
</html>
`;
  });

  describeRoute(router, 'GET /docs/:asset', {
    summary: "The page's assets (Swagger UI's script, style and icon, and the script that starts it)",
    tag: OPERATIONS,
    request: { params: { asset: { type: 'string', enum: [...Object.keys(assets), 'initializer.js'] } } },
    responses: { 200: { description: 'the file', contentType: 'application/octet-stream', body: { type: 'string' } } },
    errors: { 404: 'no such asset' },
  });
  router.get('/docs/:asset', (ctx) => {
    const asset = ctx.params.asset!;
    ctx.set('Content-Security-Policy', pageSecurityPolicy);
    if (asset === 'initializer.js') {
      ctx.set('Cache-Control', 'no-cache');
      ctx.type = 'text/javascript; charset=utf-8';
      ctx.body = `window.ui = SwaggerUIBundle(${JSON.stringify({ url: `${base()}/openapi.json`, dom_id: '#swagger-ui', deepLinking: true })});\n`;
      return;
    }
    const type = Object.hasOwn(assets, asset) ? assets[asset] : undefined;
    if (!type) return; // 404 from the error handler
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.type = type;
    ctx.body = createReadStream(path.join(swaggerUiDir, asset));
  });

  return router;
}
