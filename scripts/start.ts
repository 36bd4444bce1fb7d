// npm start: the whole of Loa on one machine, on embedded defaults, with demo data.
import { ConfigError, loadConfig } from '../platform/config.ts';
import { createLogger } from '../platform/logger.ts';
import { preflight, REQUIRED_TOOLS } from './preflight.ts';
import { startLoa } from './runtime.ts';
import { buildWeb, webBuildIsStale } from './web-build.ts';

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

const loa = await startLoa(config, logger);
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping Loa… / Đang dừng Loa…`);
    loa.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  });
}

const lines = [
  `Loa is running at ${loa.url}  (API docs: ${loa.url}/api/docs)`,
  `Loa đang chạy tại ${loa.url}`,
];
if (loa.seed.created.length > 0) {
  lines.push(
    '',
    'Demo accounts (passwords shown only this once) / Tài khoản mẫu (mật khẩu chỉ hiện một lần):',
  );
  for (const { username, password } of loa.seed.created) lines.push(`  ${username.padEnd(10)} ${password}`);
}
lines.push('', 'Press Ctrl-C to stop / Nhấn Ctrl-C để dừng.');
console.log(lines.join('\n'));
