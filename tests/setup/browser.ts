// A real server for a browser test: the test world's app (PGlite, Redis) serving the built web
// app on a free loopback port, and Debian's chromium driven by playwright-core.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { serve } from '../../server/http/serve.ts';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  // This machine has no network: without these, chromium keeps dialling out.
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

export interface ServedBrowser {
  server: Server;
  browser: Browser;
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * `extraArgs` adds chromium switches, e.g. a fake microphone:
 * `--use-fake-ui-for-media-stream --use-fake-device-for-media-stream --use-file-for-fake-audio-capture=…`.
 */
export async function serveToBrowser(
  app: Parameters<typeof serve>[0],
  extraArgs: string[] = [],
): Promise<ServedBrowser> {
  const server = await serve(app, 0, '127.0.0.1');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, ...extraArgs],
    headless: true,
  });
  return {
    server,
    browser,
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await browser.close();
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}
