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
