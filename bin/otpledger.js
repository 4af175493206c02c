#!/usr/bin/env node
// The `otpledger` command: runs the TypeScript CLI (cli/main.ts) through tsx, a runtime dependency,
// so it works from a fresh clone after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
