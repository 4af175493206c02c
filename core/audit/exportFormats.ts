import type { AuditRecord } from './redact.js';

const CSV_COLUMNS = [
  'position',
  'recordedAt',
  'tenantId',
  'stream',
  'revision',
  'type',
  'actor',
  'correlationId',
  'id',
  'chainHash',
  'data',
] as const;

/** RFC 4180: quote when needed, double the quotes. A leading =+-@ is prefixed so spreadsheets do not run it. */
function csvCell(value: unknown): string {
  let text = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const csvHeader = () => `${CSV_COLUMNS.join(',')}\r\n`;
const csvLine = (record: AuditRecord) => `${CSV_COLUMNS.map((column) => csvCell(record[column])).join(',')}\r\n`;
const ndjsonLine = (record: AuditRecord) => `${JSON.stringify(record)}\n`;

/** Text lines of an export, header first for CSV. */
export async function* exportLines(records: AsyncIterable<AuditRecord>, format: 'ndjson' | 'csv'): AsyncIterable<string> {
  if (format === 'csv') yield csvHeader();
  for await (const record of records) yield format === 'csv' ? csvLine(record) : ndjsonLine(record);
}
