import { loadSmsPlugins } from '../../../core/sms/pluginLoader.js';
import { smsProviderContract, startScriptedGateway } from '@otpledger/plugin-kit/testing';
import type { SmsMessage } from '@otpledger/plugin-kit';
import { captureLogger } from '../../support/captureLogger.js';
import { tempDir } from '../../support/tempDir.js';
import { testConfig } from '../../support/testConfig.js';

// The sample third-party plugin lives outside plugins/ and is loaded the way an operator would load it:
// named by path in the config file's `plugins`, resolved from the working directory.
smsProviderContract('AcmeSms (third-party, loaded by path from config)', {
  async plugin() {
    const temp = tempDir();
    const config = testConfig(temp.dir, { plugins: ['./test/fixtures/acme-sms-plugin'] });
    temp.remove();
    const registry = await loadSmsPlugins({ external: config.plugins, logger: captureLogger().logger });
    const loaded = registry.get('AcmeSms');
    if (!loaded) throw new Error(`AcmeSms did not load: ${JSON.stringify(registry.failures)}`);
    return loaded.plugin;
  },
  expectedCodes: { reject: 'rejected' },
  async start() {
    const gateway = await startScriptedGateway({ accept: () => ({ status: 200, body: { id: 'acme-msg-1', parts: 1 } }) });
    return {
      config: { endpoint: `${gateway.url}/v1/sms`, token: 'acme-token-0001' },
      setMode: (mode) => void (gateway.mode = mode),
      received: () =>
        gateway.accepted.map((req) => {
          const body = req.json as { to: string; text: string; from?: string };
          return { to: body.to, body: body.text, ...(body.from && { senderId: body.from }) } satisfies SmsMessage;
        }),
      close: () => gateway.close(),
    };
  },
});
