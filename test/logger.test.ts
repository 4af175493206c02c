import { expect } from 'chai';
import { Writable } from 'node:stream';
import { createLogger, wantsPrettyLogs } from '../core/logger.js';

describe('createLogger', () => {
  it('censors credentials and codes wherever a request or payload carries them', () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ log: { level: 'info' } }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    logger.info(
      {
        req: { headers: { authorization: 'Bearer abc', 'user-agent': 'curl' } },
        body: { client_secret: 's3cret', passcode: '123456', otp: '654321', api_key: 'k', password: 'p', phone: '+15550100' },
        client_secret: 'top-level',
      },
      'incoming',
    );
    const line = JSON.stringify(lines[0]);
    for (const secret of ['Bearer abc', 's3cret', '123456', '654321', '"k"', '"p"', 'top-level']) expect(line).not.to.include(secret);
    expect(line).to.include('curl').and.to.include('+15550100').and.to.include('[redacted]');
  });

  it("censors a child logger's bindings too, keeps an error's message and stack, and never changes the caller's object", () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ log: { level: 'info' } }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const fields = { body: { password: 'p4ss', user: 'ann' }, client_secret: 'top' };
    logger.child({ access_token: 'tok-123', reqId: 'r1' }).info(fields, 'with a child');
    const err = Object.assign(new Error('provider refused'), { api_key: 'key-9' });
    logger.error({ err }, 'failed');
    const [first, second] = lines.map((line) => JSON.stringify(line));
    for (const secret of ['tok-123', 'p4ss', '"top"']) expect(first).not.to.include(secret);
    expect(first).to.include('"reqId":"r1"').and.to.include('"user":"ann"');
    expect(fields).to.deep.equal({ body: { password: 'p4ss', user: 'ann' }, client_secret: 'top' });
    expect(second).not.to.include('key-9');
    expect(second).to.include('provider refused').and.to.include('Error: provider refused');
    expect(err.api_key).to.equal('key-9');
  });

  it("censors bindings set later (setBindings), a child's own log formatter's output, and keeps an error's cause", () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ log: { level: 'info' } }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const child = logger.child({ reqId: 'r2' });
    child.setBindings({ password: 'late-secret' });
    child.info('after setBindings');
    logger.child({}, { formatters: { log: (object) => ({ ...object, otp: '112233' }) } }).info({ note: 'ok' }, 'own formatter');
    const err = Object.assign(new Error('outer', { cause: new Error('inner cause') }), { api_key: 'key-7' });
    logger.error({ err }, 'failed');
    const text = lines.map((line) => JSON.stringify(line)).join('\n');
    for (const secret of ['late-secret', '112233', 'key-7']) expect(text).not.to.include(secret);
    expect(text).to.include('"note":"ok"').and.to.include('inner cause');
  });

  it('writes human-readable lines with log.pretty (secrets still censored), JSON otherwise', () => {
    let text = '';
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => ((text += chunk.toString()), done()) });
    const logger = createLogger({ log: { level: 'info', pretty: true } }, sink);
    logger.info({ client_secret: 's3cret', path: '/healthz' }, 'request');
    expect(text).to.match(/INFO.*request/);
    expect(text).to.include('/healthz').and.to.include('[redacted]').and.not.to.include('s3cret');
    expect(() => JSON.parse(text)).to.throw();
  });

  it('is pretty when stdout is a terminal unless log.pretty says otherwise', () => {
    expect(wantsPrettyLogs({ log: { level: 'info' } }, true)).to.equal(true);
    expect(wantsPrettyLogs({ log: { level: 'info' } }, false)).to.equal(false);
    expect(wantsPrettyLogs({ log: { level: 'info', pretty: false } }, true)).to.equal(false);
    expect(wantsPrettyLogs({ log: { level: 'info', pretty: true } }, false)).to.equal(true);
  });
});
