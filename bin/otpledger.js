#!/usr/bin/env node
// The CLI from the sources, for a clone: runs cli/main.ts through tsx (a devDependency), no build step.
// The installed package's `otpledger` command is the build, dist/cli/main.js (`npm run build`).
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
