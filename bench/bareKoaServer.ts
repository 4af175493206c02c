// The baseline for bench:otp: a bare Koa app with one JSON route, in its own process like otpledger.
import Koa from 'koa';
import { Router } from '@koa/router';
import type { AddressInfo } from 'node:net';

const app = new Koa();
const router = new Router();
router.post('/bare', (ctx) => {
  ctx.body = { message: 'OTP sent' };
});
// for the harness ceiling: the outbox read of an OTP cycle, answering what the dev outbox answers
router.get('/bare-outbox', (ctx) => {
  ctx.body = [
    { phone_number: '+15125551000', sender_id: null, message: 'Your Bench app code is 123456', sent_at: new Date().toISOString() },
  ];
});
app.use(router.routes());
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
