// The SDK process of the Auth0 SDK suite (`auth0Sdks.test.ts` starts it with NODE_EXTRA_CA_CERTS, as a user
// would run an app against a private CA): runs every scenario in order and prints one JSON line per scenario.
import { scenarios, type SdkEnvironment } from './scenarios.js';

const environment = JSON.parse(process.env.SDK_ENVIRONMENT ?? '{}') as SdkEnvironment;
const ctx = { ...environment };
for (const { name, run } of scenarios) {
  try {
    await run(ctx);
    process.stdout.write(`${JSON.stringify({ name, ok: true })}\n`);
  } catch (error) {
    const { message, stack } = error as Error;
    process.stdout.write(`${JSON.stringify({ name, ok: false, error: message ?? String(error), stack })}\n`);
  }
}
