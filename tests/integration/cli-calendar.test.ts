import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LOA = fileURLToPath(new URL('../../cli/loa.mjs', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `loa` binary (no shell), in a zone far from Vietnam to catch host-TZ leaks. */
function loa(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [LOA, ...args],
      { cwd: ROOT, env: { ...process.env, TZ: 'America/Los_Angeles' }, timeout: 30_000 },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

function expectBadInput(run: Run, message: RegExp): void {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(message);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
}

describe.concurrent('loa calendar (spawned CLI)', () => {
  it('to-lunar prints the lunar date of Tết 2026 with can-chi', async () => {
    const run = await loa('calendar', 'to-lunar', '2026-02-17');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({
      day: 1,
      month: 1,
      year: 2026,
      leap: false,
      date: '2026-02-17',
      canChi: { year: 'Bính Ngọ', month: 'Canh Dần' },
      monthName: 'tháng Giêng',
    });
  });

  it('to-lunar gives the Vietnamese, not the Chinese, Tết 1985 and the leap 6th month of 2025', async () => {
    const [tet1985, leap] = await Promise.all([
      loa('calendar', 'to-lunar', '1985-01-21'),
      loa('calendar', 'to-lunar', '2025-07-25'),
    ]);
    expect(JSON.parse(tet1985.stdout)).toMatchObject({ day: 1, month: 1, year: 1985, leap: false });
    expect(JSON.parse(leap.stdout)).toMatchObject({ day: 1, month: 6, year: 2025, leap: true });
  });

  it('to-solar prints the solar date, with and without --leap', async () => {
    const [tet, leap] = await Promise.all([
      loa('calendar', 'to-solar', '--year', '2026', '--month', '1', '--day', '1'),
      loa('calendar', 'to-solar', '--year', '2033', '--month', '11', '--day', '1', '--leap'),
    ]);
    expect(tet.code).toBe(0);
    expect(JSON.parse(tet.stdout)).toEqual({ date: '2026-02-17' });
    expect(JSON.parse(leap.stdout)).toEqual({ date: '2033-12-22' });
  });

  it('expand prints the market dates of a rule, inclusive range', async () => {
    const run = await loa(
      'calendar',
      'expand',
      '--rule',
      '{"kind":"weekdays","days":["SU"]}',
      '--from',
      '2026-01-01',
      '--to',
      '2026-12-31',
    );
    expect(run.code).toBe(0);
    const { dates } = JSON.parse(run.stdout) as { dates: string[] };
    expect(dates).toHaveLength(52);
    expect(dates.slice(0, 2)).toEqual(['2026-01-04', '2026-01-11']);
    expect(dates.at(-1)).toBe('2026-12-27');
  });

  it('expand handles lunar rules across Tết', async () => {
    const run = await loa(
      'calendar',
      'expand',
      '--rule',
      '{"kind":"lunar-days","days":[2,7,12,17,22,27]}',
      '--from',
      '2026-02-10',
      '--to',
      '2026-02-25',
    );
    expect(JSON.parse(run.stdout)).toEqual({ dates: ['2026-02-14', '2026-02-18', '2026-02-23'] });
  });

  it('runs through npm run -s loa', async () => {
    const run = await new Promise<Run>((resolve) => {
      const child = execFile(
        'npm',
        ['run', '-s', 'loa', '--', 'calendar', 'to-lunar', '2026-02-17'],
        { cwd: ROOT, timeout: 30_000 },
        (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
      );
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ day: 1, month: 1, year: 2026, leap: false });
  });

  it.each([
    [['calendar', 'to-lunar', '2026-02-30'], /invalid date/],
    [['calendar', 'to-lunar', '17/02/2026'], /invalid date/],
    [['calendar', 'to-lunar'], /usage/],
    [['calendar', 'to-lunar', '1900-01-01'], /out of lunar range/],
    [['calendar', 'to-solar', '--year', '2026', '--month', '1', '--day', '1', '--leap'], /no leap month 1/],
    [['calendar', 'to-solar', '--year', '2025', '--month', '12', '--day', '30'], /only 29 days/],
    [['calendar', 'to-solar', '--year', '2026', '--month', 'Giêng', '--day', '1'], /must be an integer/],
    [['calendar', 'to-solar', '--year', '2026', '--month', '1'], /missing --day/],
    [
      ['calendar', 'expand', '--rule', '{"kind":"weekdays"', '--from', '2026-01-01', '--to', '2026-01-31'],
      /not valid JSON/,
    ],
    [
      ['calendar', 'expand', '--rule', '{"kind":"weekly"}', '--from', '2026-01-01', '--to', '2026-01-31'],
      /invalid market rule/,
    ],
    [
      [
        'calendar',
        'expand',
        '--rule',
        '{"kind":"weekdays","days":["SU"]}',
        '--from',
        '2026-02-01',
        '--to',
        '2026-01-01',
      ],
      /range ends before it starts/,
    ],
    [
      ['calendar', 'expand', '--rule', '{"kind":"weekdays","days":["SU"]}', '--from', '2026-01-01'],
      /missing --to/,
    ],
    [['calendar', 'to-lunar', '2026-02-17', '--utc'], /Unknown option/],
    [['calendar', 'bogus'], /unknown command/],
    [['nosuch'], /unknown command group/],
    [[], /missing command group/],
  ])('loa %j exits 2 with a one-line error', async (args, message) => {
    expectBadInput(await loa(...args), message);
  });
});
