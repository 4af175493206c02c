import { Router } from '@koa/router';
import { Readable } from 'node:stream';
import { auditPhoneHash, auditRecords } from '../../../audit/auditEvents.js';
import { auditFilters, auditQuerySchema, describeFilters, parseAuditQuery } from '../../../audit/auditFilters.js';
import { recordAuditQuery } from '../../../audit/auditLog.js';
import { exportLines } from '../../../audit/exportFormats.js';
import type { AuditRecord } from '../../../audit/redact.js';
import { verifyChain } from '../../../audit/verifyChain.js';
import type { Cradle } from '../../../cradle.js';
import { requireClient } from '../../auth.js';
import { eventMetadata } from '../../eventMetadata.js';
import { describeRoute } from '../../openapi/routeDescription.js';
import type { AppState } from '../../types.js';
import { adminRoute, auditorOrManagement, auditRecordSchema, page } from './adminDescriptions.js';

const chainReport = {
  type: 'object',
  required: ['ok', 'events', 'streams', 'lastPosition'],
  properties: {
    ok: { type: 'boolean' },
    events: { type: 'integer' },
    streams: { type: 'integer' },
    lastPosition: { type: 'integer' },
    broken: { type: 'object', required: ['stream', 'revision', 'globalPosition', 'eventId', 'problem'] },
  },
} as const;

/**
 * The compliance API, read-only, for `auditor` and `management` clients of the tenant (never another
 * tenant's events). Every query is recorded as `AuditQueried` before anything is returned.
 * `GET /admin/v1/audit/events` pages as JSON, or streams the whole selection as NDJSON or CSV
 * (`Accept: application/x-ndjson | text/csv`); `GET /admin/v1/audit/verify` checks the hash chains.
 */
export function adminAuditRoutes(cradle: Cradle): Router<AppState> {
  const { tokens, eventStore, storedEvents, readModels, secrets, clock } = cradle;
  const router = new Router<AppState>();
  const auth = requireClient(tokens, ['auditor', 'management']);

  describeRoute(
    router,
    'GET /admin/v1/audit/events',
    adminRoute({
      summary: "The tenant's events, filtered: a JSON page, or the whole selection as NDJSON or CSV (by Accept)",
      security: auditorOrManagement,
      description: 'Recorded as `AuditQueried` before anything is returned. Personal fields stay sealed.',
      request: { query: auditQuerySchema },
      responses: {
        200: {
          description: 'a page (JSON) or a stream',
          body: page(auditRecordSchema, { type: ['integer', 'null'] }),
          alternatives: { 'application/x-ndjson': { type: 'string' }, 'text/csv': { type: 'string' } },
        },
      },
      errors: { 400: 'a filter is malformed (named)' },
    }),
  );
  router.get('/admin/v1/audit/events', auth, async (ctx) => {
    const { tenantId, clientId } = ctx.state.auth;
    const query = parseAuditQuery(ctx.query);
    const filters = auditFilters(tenantId, query);
    const phoneHash = auditPhoneHash(filters, secrets.hmacKey);
    const { limit } = query;
    const format = ctx.accepts('application/json', 'application/x-ndjson', 'text/csv');

    await recordAuditQuery(
      eventStore,
      clock,
      tenantId,
      clientId,
      'events',
      { ...describeFilters(filters), format },
      eventMetadata(ctx, tenantId, clientId),
    );
    const selected = auditRecords(eventStore, readModels.db, filters, phoneHash);
    ctx.set('Cache-Control', 'no-store');
    if (format === 'application/x-ndjson' || format === 'text/csv') {
      ctx.type = format === 'text/csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson';
      ctx.body = Readable.from(exportLines(selected, format === 'text/csv' ? 'csv' : 'ndjson'));
      return;
    }
    const page: AuditRecord[] = [];
    for await (const record of selected) {
      page.push(record);
      if (page.length >= limit) break;
    }
    ctx.body = { result: page, next_cursor: page.length >= limit ? page[page.length - 1]!.position : null };
  });

  describeRoute(
    router,
    'GET /admin/v1/audit/verify',
    adminRoute({
      summary: "Verify the hash chains of the tenant's streams",
      security: auditorOrManagement,
      responses: {
        200: { description: 'every link holds', body: chainReport },
        409: { description: 'a link is broken: the first one is named', body: chainReport },
      },
    }),
  );
  router.get('/admin/v1/audit/verify', auth, async (ctx) => {
    const { tenantId, clientId } = ctx.state.auth;
    await recordAuditQuery(eventStore, clock, tenantId, clientId, 'verify', {}, eventMetadata(ctx, tenantId, clientId));
    // the chain covers the events as stored, personal fields sealed
    const report = await verifyChain(storedEvents, { tenantId });
    ctx.set('Cache-Control', 'no-store');
    ctx.status = report.ok ? 200 : 409;
    ctx.body = report;
  });

  return router;
}
