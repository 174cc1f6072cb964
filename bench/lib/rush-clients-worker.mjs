// The worker thread's entry for bench/lib/rush-clients.ts: a worker does not inherit the main
// thread's `--import tsx`, so it registers tsx itself (as bin/tiendo.js does) before loading the
// TypeScript module, which answers the main thread's messages.
import { register } from 'tsx/esm/api';

register();
await import('./rush-clients.ts');
