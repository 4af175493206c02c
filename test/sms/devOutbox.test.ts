import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { DevOutbox } from '../../core/sms/devOutbox.js';
import { manualClock, startOtpServer } from '../support/otpServer.js';
import { tempDir } from '../support/tempDir.js';

/** Every file under `dir`, as bytes read as latin-1 (so SQLite pages are searchable too). */
function everyFileText(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile())
    .map((file) => ({ file, text: readFileSync(file).toString('latin1') }));
}

/** A Default send through the real server, then what the data dir holds of its text. */
async function sendWithDefault(devOutbox: boolean) {
  const t = await startOtpServer({ overlay: { dev: { outbox: devOutbox } } });
  try {
    const token = await t.clientToken();
    const phone = '+14155550177';
    expect((await t.post('/cis/v1/users', { phone_number: phone }, token)).status).to.equal(201);
    const sent = await t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier: phone }, token);
    expect(sent.status).to.equal(200);
    const events = [];
    for await (const event of t.server.container.cradle.eventStore.readAll({})) events.push(event);
    const smsSent = events.filter((event) => event.type === 'SmsSent');
    await t.server.close(); // every write flushed, every file closed
    const holding = everyFileText(t.dir)
      .filter(({ text }) => text.includes('verification code. Never share it'))
      .map(({ file }) => path.relative(t.dir, file));
    return { smsSent, holding, outboxFile: everyFileText(t.dir).some(({ file }) => file.endsWith('sms-outbox.ndjson')) };
  } finally {
    await t.close();
  }
}

describe('the dev outbox: SMS text on disk only when dev.outbox is on', function () {
  this.timeout(30_000);

  it('with dev.outbox off, a Default send is its SmsSent event and its text is written nowhere', async () => {
    const { smsSent, holding, outboxFile } = await sendWithDefault(false);
    expect(smsSent).to.have.length(1);
    expect(smsSent[0]!.data).to.include({ provider: 'Default' });
    expect(outboxFile).to.equal(false);
    expect(holding).to.deep.equal([]);
  });

  it('with dev.outbox on, the text is in the outbox file (and only there)', async () => {
    const { holding } = await sendWithDefault(true);
    expect(holding).to.deep.equal(['sms-outbox.ndjson']);
  });

  it('keeps at most keptPhones phones in memory, forgetting the one written to longest ago', async () => {
    const temp = tempDir();
    const outbox = new DevOutbox({ dataDir: temp.dir, clock: manualClock(), enabled: true, keptPhones: 3 });
    try {
      for (const to of ['+1', '+2', '+3', '+1', '+4']) await outbox.send({ to, body: `to ${to}` });
      expect(outbox.phoneCount).to.equal(3);
      expect(outbox.messagesTo('+2')).to.deep.equal([]); // +1 was written again after +2, so +2 went first
      expect(outbox.messagesTo('+1').map((m) => m.message)).to.deep.equal(['to +1', 'to +1']);
      expect(outbox.messagesTo('+4')).to.have.length(1);
    } finally {
      await outbox.close();
      temp.remove();
    }
  });

  it('keeps nothing at all when disabled', async () => {
    const temp = tempDir();
    const outbox = new DevOutbox({ dataDir: temp.dir, clock: manualClock(), enabled: false });
    await outbox.send({ to: '+1', body: 'secret 123456' });
    await outbox.close();
    expect(outbox.messagesTo('+1')).to.deep.equal([]);
    expect(everyFileText(temp.dir)).to.deep.equal([]);
    temp.remove();
  });
});
