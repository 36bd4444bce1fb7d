// npm start: the whole of Loa on one machine, on embedded defaults, with demo data.
//
// Stopping: the first SIGINT/SIGTERM (Ctrl-C) stops every part in reverse order, the private
// Redis last. It is bounded: after STOP_GRACE_MS, or on another Ctrl-C, Loa kills what it
// started and exits at once.
import { ConfigError, loadConfig } from '../platform/config.ts';
import { createLogger } from '../platform/logger.ts';
import type { SeedResult } from '../prisma/seed.ts';
import { preflight, REQUIRED_TOOLS } from './preflight.ts';
import { launchLoa, StartInterrupted } from './runtime.ts';
import { buildWeb, webBuildIsStale } from './web-build.ts';

/** How long a stop may take before Loa ends at once (stated in README). */
export const STOP_GRACE_MS = 10_000;
/**
 * One Ctrl-C arrives more than once: the terminal signals the whole process group, and npm and
 * tsx each pass it on to their child as well. Signals this close to the first are that same one.
 */
const SAME_STOP_MS = 1_000;

function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) fail(err.message, 2);
  throw err;
}
const logger = createLogger(config.LOG_LEVEL, { process: 'loa' });

const checked = preflight(REQUIRED_TOOLS, { say: (line) => console.log(line) });
if (!checked.ok) fail(checked.message, 3);

if (webBuildIsStale()) {
  console.log('Building the web app… / Đang dựng giao diện web…');
  await buildWeb();
}

const loa = launchLoa(config, logger, { onSeeded: showAccounts });

let stopAskedAt: number | undefined;
let killing = false;
const stopAtOnce = (why: string) => {
  if (killing) return;
  killing = true;
  console.log(`${why}: stopping Loa at once / Dừng Loa ngay`);
  // Even if killing hangs, exit: nothing may keep Loa from ending.
  setTimeout(() => process.exit(130), 2_000).unref();
  loa.kill().finally(() => process.exit(130));
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopAskedAt === undefined) {
      stopAskedAt = Date.now();
      console.log(
        `\n${signal}: stopping Loa… (Ctrl-C again to stop at once) / Đang dừng Loa… (nhấn Ctrl-C lần nữa để dừng ngay)`,
      );
      setTimeout(() => stopAtOnce(`not stopped within ${STOP_GRACE_MS / 1000} s`), STOP_GRACE_MS).unref();
      loa.stop().then(
        () => process.exit(0),
        (err) => {
          logger.error({ err }, 'stop failed');
          process.exit(1);
        },
      );
    } else if (Date.now() - stopAskedAt > SAME_STOP_MS) stopAtOnce(`${signal} again`);
  });
}

loa.ready.then(
  (running) => {
    console.log(
      [
        `Loa is running at ${running.url}  (API docs: ${running.url}/api/docs)`,
        `Loa đang chạy tại ${running.url}`,
        '',
        'Press Ctrl-C to stop / Nhấn Ctrl-C để dừng.',
      ].join('\n'),
    );
  },
  (err) => {
    // A stop that came first has already undone the start; the stop exits.
    if (err instanceof StartInterrupted) return;
    logger.error({ err }, 'Loa could not start');
    process.exit(1);
  },
);

function showAccounts(seed: SeedResult) {
  if (seed.created.length === 0) return;
  const lines = [
    'Demo accounts (passwords shown only this once) / Tài khoản mẫu (mật khẩu chỉ hiện một lần):',
  ];
  for (const { username, password } of seed.created) lines.push(`  ${username.padEnd(10)} ${password}`);
  console.log(`${lines.join('\n')}\n`);
}
