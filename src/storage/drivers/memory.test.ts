import { runBackendSuite } from '../testing/backend.suite.ts';
import { MemoryBackend } from './memory.ts';

runBackendSuite('memory', async () => ({ backend: new MemoryBackend(), cleanup: async () => {} }));
