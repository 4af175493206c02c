// Profiles one operation of bench:otp alone: BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=<dir>" npx tsx bench/profileOne.ts token|cycle
import { measure } from './cpuPerOperation.js';
import { startOtpledger } from './otpledgerUnderLoad.js';

const which = process.argv[2] === 'cycle' ? 'cycle' : 'token';
const otpledger = await startOtpledger(50);
const result = await measure(otpledger.server, otpledger[which], { ms: Number(process.env.BENCH_SECONDS ?? 8) * 1000, connections: 50 });
console.log(which, `${result.cpuMicrosPerOp.toFixed(0)} µs/op`, `${result.ops} ops`);
await otpledger.stop();
