import { expect } from 'chai';
import { PASSWORDLESS_OTP_GRANT } from '../../core/http/routes/auth0/token.js';
import { call } from '../support/auth0Client.js';
import { cli, cliConfigFor } from '../support/cli.js';
import { startOtpServer } from '../support/otpServer.js';
import { tempDir, writeJson } from '../support/tempDir.js';

describe('otpledger protection backtest (CLI)', function () {
  this.timeout(120_000);

  it('replays a generated log under a policy: refusals per reason and the false positives among them, with a progress bar', async () => {
    const temp = tempDir();
    try {
      // the log is written with protection out of the way (relaxed), as before a policy existed
      const t = await startOtpServer({ clock: true, dir: temp.dir });
      const admin = await t.clientToken('acme-admin');
      const id = (await t.get('/api/v2/connections', admin)).body[0].id;
      await call(t.url, 'PATCH', `/api/v2/connections/${id}`, { enabled_clients: ['acme-web', 'acme-mobile'] }, { token: admin });
      await t.put('/cis/v1/tenantsmsproviders', { provider: 'Default', default: { rate_per_second: 10000, burst: 10000 } }, admin);
      const start = (phone_number: string) =>
        call(t.url, 'POST', '/passwordless/start', { client_id: 'acme-mobile', connection: 'sms', phone_number, send: 'code' });
      const login = async (phone: string) => {
        const otp = (await t.lastSms(phone)).code;
        expect(
          (
            await call(
              t.url,
              'POST',
              '/oauth/token',
              { grant_type: PASSWORDLESS_OTP_GRANT, client_id: 'acme-mobile', username: phone, otp, realm: 'sms' },
              { form: true },
            )
          ).status,
        ).to.equal(200);
      };
      // 20 real users in one range, each logging in
      for (let i = 0; i < 20; i++) {
        await start(`+1512556${1000 + i}`);
        await login(`+1512556${1000 + i}`);
        t.clock!.advance(5_000);
      }
      // a user who asks again after 10 seconds and uses the second code: a cooldown of 30 s would have refused it
      await start('+15125561100');
      t.clock!.advance(10_000);
      await start('+15125561100');
      await login('+15125561100');
      // a pumping burst: 100 numbers of another range, none verified
      for (let i = 0; i < 100; i++) await start(`+1512555${2000 + i}`);
      const { configFile } = cliConfigFor(t);
      await t.close();

      const run = cli(configFile, 'protection', 'backtest', '--tenant', 'acme', '--policy', writeJson(temp.dir, 'defaults.json', {}));
      expect(run.status, run.stderr).to.equal(0);
      const report = JSON.parse(run.stdout);
      expect(report.sends).to.equal(122);
      expect(report.refused.cooldown).to.deep.equal({ refused: 1, laterVerified: 1 });
      expect(report.refused.pumping_guard.refused).to.equal(100 - 30);
      expect(report.refused.pumping_guard.laterVerified).to.equal(0);
      expect(report.quarantines).to.equal(1);
      expect(report.notReplayed).to.have.property('ip_limit');
      expect(run.stderr)
        .to.match(/backtesting acme \[#+-*\]/)
        .and.to.match(/replayed 122 sends: 71 would have been refused or held back/);

      // --from: only what was recorded since (the clock recorded the burst from 10:01:50); the second code of the
      // user who asked twice is then the first, with no cooldown to refuse it
      const since = cli(
        configFile,
        'protection',
        'backtest',
        '--tenant',
        'acme',
        '--policy',
        writeJson(temp.dir, 'defaults.json', {}),
        '--from',
        '2026-11-22T10:01:45Z',
      );
      expect(since.status, since.stderr).to.equal(0);
      const sinceReport = JSON.parse(since.stdout);
      expect(sinceReport.sends).to.equal(101);
      expect(sinceReport.refused.cooldown?.refused ?? 0).to.equal(0);
      expect(sinceReport.refused.pumping_guard.refused).to.equal(100 - 30);

      const denyUs = cli(
        configFile,
        'protection',
        'backtest',
        '--tenant',
        'acme',
        '--policy',
        writeJson(temp.dir, 'no-us.json', { countries: { deny: ['US'] } }),
      );
      expect(JSON.parse(denyUs.stdout).refused.country).to.deep.equal({ refused: 122, laterVerified: 21 });

      const bad = cli(
        configFile,
        'protection',
        'backtest',
        '--tenant',
        'acme',
        '--policy',
        writeJson(temp.dir, 'bad.json', { limits: { phone: { max_sends: 0 } } }),
      );
      expect(bad.status).to.equal(1);
      expect(bad.stderr).to.contain('/limits/phone/max_sends must be >= 1');
    } finally {
      temp.remove();
    }
  });
});
