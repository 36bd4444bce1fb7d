// Where the built web app lives: served by the API, built by `npm start` when stale.
import { join, resolve } from 'node:path';

export const WEB_SOURCES = resolve(import.meta.dirname, '../web');
export const WEB_DIST = join(WEB_SOURCES, 'dist');
