import type { Client } from '@temporalio/client';
import type { EngineConfig } from '../config/engine-config';
import type { Env } from '../config/env';
import type { ApiMetrics } from './metrics';
import type { AlertCoalescer } from './alert-delivery';

/** What every route receives: nothing is constructed inside a route. */
export interface ApiContext {
  client: Client;
  env: Env;
  config: EngineConfig;
  metrics: ApiMetrics;
  /** One per process: alerts for one incident share calls (src/api/alert-coalescer.ts). */
  alerts: AlertCoalescer;
}
