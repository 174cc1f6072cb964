// The draft checker's worker thread starts here. A worker does not inherit a TypeScript loader that
// was registered from code (bin/tiendo.js registers tsx so), so it registers its own, then loads
// the worker proper.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
