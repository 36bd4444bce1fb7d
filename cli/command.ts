// What a command group of the `loa` command declares, and the error for input the user can fix.
/** Thrown for input the user can fix; carries exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type Command = (args: string[]) => unknown;

export interface CommandGroup {
  readonly summary: string;
  /** One usage line per command, shown by `loa <group> --help`. */
  readonly usage: readonly string[];
  readonly commands: Readonly<Record<string, Command>>;
}

/** A command that ran but found something wrong: its result still goes to stdout, exit code 1. */
export class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
  constructor(
    readonly output: unknown,
    message: string,
  ) {
    super(message);
  }
}
