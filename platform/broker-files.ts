// The files a mosquitto broker needs for Loa: its config, the password file (one login per
// receiver, named by its cluster id, plus Loa's own) and the ACL that keeps every receiver under
// its own `loa/<cluster>/…` topics. Written by the private broker of `npm start` and by the tests;
// an installation with its own broker can use `aclText()` as is.
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { LOA_BROKER_USER } from './receiver-secrets.ts';

/** mosquitto 2's `$7$` entry: PBKDF2-SHA512, 101 iterations, 12-byte salt (as mosquitto_passwd writes it). */
export function passwordEntry(username: string, password: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(username)) throw new Error(`not a broker username: ${username}`);
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(password, salt, 101, 64, 'sha512');
  return `${username}:$7$101$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * Loa reads and writes everything under `loa/`; a receiver (username = cluster id) reads its
 * commands, acks and time answers and writes only its receipts and status. A publish outside
 * these is refused (MQTT 5: PUBACK "not authorized"), so a receiver cannot report for another
 * cluster.
 */
export function aclText(): string {
  return [
    `user ${LOA_BROKER_USER}`,
    'topic readwrite loa/#',
    '',
    'pattern read loa/%u/cmd/#',
    'pattern read loa/%u/ack',
    'pattern read loa/%u/time',
    'pattern write loa/%u/receipt',
    'pattern write loa/%u/status',
    '',
  ].join('\n');
}

export function mosquittoConf(dir: string, listen: { host: string; port: number }): string {
  return [
    // Started as root, mosquitto would switch to the "mosquitto" user and lose its own files:
    // the private broker runs as whoever runs Loa.
    `user ${userInfo().username}`,
    'per_listener_settings false',
    `listener ${listen.port} ${listen.host}`,
    'allow_anonymous false',
    `password_file ${join(dir, 'passwd')}`,
    `acl_file ${join(dir, 'acl')}`,
    // Retained commands survive a broker restart.
    'persistence true',
    `persistence_location ${dir}/`,
    'autosave_interval 30',
    'max_queued_messages 10000',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    '',
  ].join('\n');
}

/** Writes passwd and acl atomically (a reload never reads half a file). */
export async function writeBrokerAuth(
  dir: string,
  logins: { username: string; password: string }[],
): Promise<void> {
  const passwd = `${logins.map((l) => passwordEntry(l.username, l.password)).join('\n')}\n`;
  await writeAtomic(join(dir, 'passwd'), passwd);
  await writeAtomic(join(dir, 'acl'), aclText());
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
}
