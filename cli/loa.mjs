#!/usr/bin/env node
// The `loa` command. The CLI is written in TypeScript; tsx's ESM hook lets Node run it directly.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('./main.ts');
process.exitCode = await runCli(process.argv.slice(2));
