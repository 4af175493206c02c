import { loadSmsPlugins } from '../../../core/sms/pluginLoader.js';
import { smsProviderContract } from '@otpledger/plugin-kit/testing';
import type { SmsMessage } from '@otpledger/plugin-kit';
import { captureLogger } from '../../support/captureLogger.js';
import { tempDir } from '../../support/tempDir.js';
import { testConfig } from '../../support/testConfig.js';

// The sample third-party plugin lives outside plugins/ and is loaded the way an operator would load it:
// named by path in the config file's `plugins`, resolved from the working directory.
smsProviderContract(
  async () => {
    const temp = tempDir();
    const config = testConfig(temp.dir, { plugins: ['./test/fixtures/acme-sms-plugin'] });
    temp.remove();
    const registry = await loadSmsPlugins({ external: config.plugins, logger: captureLogger().logger });
    const loaded = registry.get('AcmeSms');
    if (!loaded) throw new Error(`AcmeSms did not load: ${JSON.stringify(registry.failures)}`);
    return loaded.plugin;
  },
  {
    name: 'AcmeSms (third-party, loaded by path from config)',
    expectedCodes: { reject: 'rejected' },
    scriptedGateway: {
      accept: () => ({ status: 200, body: { id: 'acme-msg-1', parts: 1 } }),
      config: (url) => ({ endpoint: `${url}/v1/sms`, token: 'acme-token-0001' }),
      received(request) {
        const body = request.json as { to: string; text: string; from?: string };
        return { to: body.to, body: body.text, ...(body.from && { senderId: body.from }) } satisfies SmsMessage;
      },
    },
  },
);
