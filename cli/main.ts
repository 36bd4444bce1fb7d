/**
 * Entry point of the `loa` command: `loa <group> <command> [options]`, JSON on stdout.
 *
 * Exit codes: 0 success, 2 bad input (one line on stderr), 1 anything unexpected.
 * Command groups load lazily so that a quick `loa calendar …` never pays for modules other
 * groups need (database, queues) once those exist.
 */

import { InvalidDateError, LunarRangeError, MarketRuleError } from '../domain/calendar/index.ts';
import { CommandFailed, type CommandGroup, UsageError } from './command.ts';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

const COMMAND_GROUPS: Readonly<Record<string, () => Promise<CommandGroup>>> = {
  calendar: async () => (await import('./calendar.ts')).calendarCommands,
  admin: async () => (await import('./admin.ts')).adminCommands,
  log: async () => (await import('./log.ts')).logCommands,
  receiver: async () => (await import('./receiver.ts')).receiverCommands,
  report: async () => (await import('./report.ts')).reportCommands,
};

export interface CliOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processOutput: CliOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

const HELP_FLAGS = new Set(['-h', '--help', 'help']);

export async function runCli(argv: readonly string[], output: CliOutput = processOutput): Promise<number> {
  try {
    const text = await dispatch(argv);
    output.stdout(`${text}\n`);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommandFailed) output.stdout(`${JSON.stringify(error.output)}\n`);
    const badInput = isBadInput(error);
    output.stderr(`loa: ${oneLine(error)}\n`);
    return badInput ? EXIT_BAD_INPUT : EXIT_FAILURE;
  }
}

/** Runs the command and returns what goes to stdout: JSON for commands, text for help. */
async function dispatch(argv: readonly string[]): Promise<string> {
  const [groupName, commandName, ...args] = argv;
  if (groupName === undefined || HELP_FLAGS.has(groupName)) {
    if (groupName === undefined) throw new UsageError(`missing command group. ${overview()}`);
    return overview();
  }
  const loadGroup = COMMAND_GROUPS[groupName];
  if (!loadGroup) throw new UsageError(`unknown command group "${groupName}". ${overview()}`);
  const group = await loadGroup();
  // A group that is one command (`loa report --from …`) takes its options right after its name.
  if (
    commandName?.startsWith('--') &&
    !HELP_FLAGS.has(commandName) &&
    Object.hasOwn(group.commands, 'default')
  )
    return JSON.stringify(await group.commands.default?.([commandName, ...args]));
  if (commandName === undefined || HELP_FLAGS.has(commandName)) {
    const help = [`loa ${groupName}: ${group.summary}`, ...group.usage.map((line) => `  ${line}`)].join('\n');
    if (commandName === undefined) throw new UsageError(`missing command. Usage: ${group.usage.join(' | ')}`);
    return help;
  }
  const command = Object.hasOwn(group.commands, commandName) ? group.commands[commandName] : undefined;
  if (!command)
    throw new UsageError(`unknown command "${groupName} ${commandName}". Usage: ${group.usage.join(' | ')}`);
  return JSON.stringify(await command(args));
}

function overview(): string {
  return `Usage: loa <group> <command> [options]; groups: ${Object.keys(COMMAND_GROUPS).join(', ')}`;
}

function isBadInput(error: unknown): boolean {
  if (error instanceof UsageError || error instanceof InvalidDateError) return true;
  if (error instanceof LunarRangeError || error instanceof MarketRuleError) return true;
  // node:util parseArgs reports unknown or malformed options with ERR_PARSE_ARGS_* codes.
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
