// `loa admin create <username>`: the first administrator of a deployment that does not seed
// demo data (docker-compose). Uses the same configuration as the server (DATABASE_URL, or the
// PGlite data dir under LOA_DATA_DIR — stop `npm start` first, PGlite has one owner).
import { parseArgs } from 'node:util';
import { hashPassword, randomPassword } from '../platform/password.ts';
import { type CommandGroup, UsageError } from './command.ts';
import { withDatabase } from './database.ts';

async function createAdmin(args: string[]) {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { name: { type: 'string' }, 'password-env': { type: 'string' } },
  });
  const username = positionals[0];
  if (!username || !/^[a-z0-9._-]{2,64}$/.test(username)) {
    throw new UsageError('give a username: lowercase letters, digits, dot, dash, underscore (2–64)');
  }
  const fromEnv = values['password-env'] ? process.env[values['password-env']] : undefined;
  if (values['password-env'] && (!fromEnv || fromEnv.length < 10)) {
    throw new UsageError(`${values['password-env']} must hold a password of at least 10 characters`);
  }
  return withDatabase(async (db) => {
    if (await db.user.findUnique({ where: { username } })) {
      throw new UsageError(`user "${username}" already exists`);
    }
    const password = fromEnv ?? randomPassword();
    await db.user.create({
      data: {
        username,
        displayName: values.name ?? username,
        passwordHash: await hashPassword(password),
        roles: { create: { role: 'ADMIN' } },
      },
    });
    return { username, role: 'ADMIN', ...(fromEnv ? {} : { password }) };
  });
}

export const adminCommands: CommandGroup = {
  summary: 'administration of a deployment',
  usage: [
    'loa admin create <username> [--name "Display name"] [--password-env VAR]  (prints a random password unless given)',
  ],
  commands: { create: createAdmin },
};
