import type { RouteFactory } from '../types.js';
import { healthRoutes } from './health.js';

/** Every route module of the server, mounted in this order. Add an API by adding one line. */
export const routes: RouteFactory[] = [healthRoutes];
