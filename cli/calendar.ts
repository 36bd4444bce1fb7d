/**
 * `loa calendar …`: the Vietnamese lunar calendar and market rules from the command line.
 *
 *   loa calendar to-lunar 2026-02-17
 *   loa calendar to-solar --year 2026 --month 1 --day 1 [--leap]
 *   loa calendar expand --rule '{"kind":"weekdays","days":["SU"]}' --from 2026-01-01 --to 2026-12-31
 */
import { parseArgs } from 'node:util';
import {
  dayCanChi,
  expandRule,
  jdnFromIso,
  lunarDayLabel,
  lunarFromJdn,
  lunarMonthName,
  lunarMonthOfJdn,
  lunarToSolar,
  monthCanChi,
  parseMarketRule,
  weekdayOfJdn,
  yearCanChi,
} from '../domain/calendar/index.ts';
import { type CommandGroup, UsageError } from './command.ts';

function toLunar(args: string[]) {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new UsageError('usage: loa calendar to-lunar YYYY-MM-DD');
  const date = positionals[0] as string;
  const jdn = jdnFromIso(date);
  const lunar = lunarFromJdn(jdn);
  const year = yearCanChi(lunar.year).name;
  return {
    ...lunar,
    date,
    weekday: weekdayOfJdn(jdn),
    monthName: lunarMonthName(lunar.month, lunar.leap),
    monthLength: lunarMonthOfJdn(jdn).length,
    canChi: { day: dayCanChi(jdn).name, month: monthCanChi(lunar.year, lunar.month).name, year },
    label: `${lunarDayLabel(lunar)} năm ${year}`,
  };
}

function toSolar(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      year: { type: 'string' },
      month: { type: 'string' },
      day: { type: 'string' },
      leap: { type: 'boolean', default: false },
    },
  });
  const date = lunarToSolar({
    year: integerOption('year', values.year),
    month: integerOption('month', values.month),
    day: integerOption('day', values.day),
    leap: values.leap,
  });
  return { date };
}

function expand(args: string[]) {
  const { values } = parseArgs({
    args,
    options: { rule: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
  });
  const rule = parseMarketRule(parseJsonOption('rule', values.rule));
  return { dates: expandRule(rule, requiredOption('from', values.from), requiredOption('to', values.to)) };
}

function requiredOption(name: string, value: string | undefined): string {
  if (value === undefined) throw new UsageError(`thiếu --${name} / missing --${name}`);
  return value;
}

function integerOption(name: string, value: string | undefined): number {
  const text = requiredOption(name, value);
  if (!/^-?\d{1,6}$/.test(text))
    throw new UsageError(`--${name} phải là số nguyên / must be an integer: "${text}"`);
  return Number(text);
}

function parseJsonOption(name: string, value: string | undefined): unknown {
  const text = requiredOption(name, value);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--${name} không phải JSON / is not valid JSON: ${(error as Error).message}`);
  }
}

export const calendarCommands: CommandGroup = {
  summary: 'Vietnamese lunar calendar (UTC+7) and market rules',
  usage: [
    'loa calendar to-lunar YYYY-MM-DD',
    'loa calendar to-solar --year Y --month M --day D [--leap]',
    "loa calendar expand --rule '<rule JSON>' --from YYYY-MM-DD --to YYYY-MM-DD",
  ],
  commands: { 'to-lunar': toLunar, 'to-solar': toSolar, expand },
};
