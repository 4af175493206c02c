import { SmsProviderError, type SendContext } from './index.js';

/**
 * Runs `work` with the context's deadline: it gets an `AbortSignal` that fires after `timeoutMs` (or when
 * the caller's signal fires), and if it has not settled by then the call fails with `SmsProviderError`
 * `timeout`, whether or not `work` honoured the signal.
 *
 * @example
 * return withDeadline(context, 'the Acme API', (signal) => fetch(url, { method: 'POST', body, signal }));
 */
export async function withDeadline<T>(
  context: Pick<SendContext, 'timeoutMs' | 'signal'>,
  what: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  context.signal?.addEventListener('abort', abort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    const fail = () => {
      controller.abort();
      reject(new SmsProviderError('timeout', `timeout while calling ${what} (${context.timeoutMs} ms)`));
    };
    if (context.signal?.aborted) return fail();
    timer = setTimeout(fail, context.timeoutMs);
    context.signal?.addEventListener('abort', fail, { once: true });
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
    context.signal?.removeEventListener('abort', abort);
  }
}
