// `node --import tsx pglite-snapshot-child.ts <path>`: writes the migrated PGlite snapshot
// (pglite-snapshot.ts) to <path> outside vitest's module runner.
import { makeMigratedSnapshot } from './pglite-snapshot.ts';

const path = process.argv[2];
if (!path) throw new Error('usage: pglite-snapshot-child.ts <path>');
await makeMigratedSnapshot(path);
