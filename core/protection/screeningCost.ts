/**
 * Time spent screening sends in this process, in microseconds, for the benchmark that checks screening stays a
 * small share of an OTP cycle's server CPU. Only synchronous steps are metered, so their time on the clock is
 * their CPU time (a step the OS preempts counts its wait too: the meter errs high). Read through
 * `globalThis[SCREENING_COST]`.
 */
const SCREENING_COST = Symbol.for('otpledger.screeningCost');

interface Meter {
  micros: number;
}

const store = globalThis as Record<symbol, unknown>;
const meter: Meter = (store[SCREENING_COST] as Meter | undefined) ?? { micros: 0 };
store[SCREENING_COST] = meter;

/** Runs a synchronous screening step and adds its time to the meter. */
export function metered<T>(step: () => T): T {
  const started = performance.now();
  try {
    return step();
  } finally {
    meter.micros += (performance.now() - started) * 1000;
  }
}
