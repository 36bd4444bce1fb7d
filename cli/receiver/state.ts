// What a receiver keeps across restarts: the commands it holds and where each stands, the
// receipts not yet acknowledged, its last clock offset. A file written whole and renamed into
// place at every change (a crash leaves the old or the new, never half), or memory for the
// simulator.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { PlayCommand, Receipt } from '../../domain/receiver-protocol.ts';

export type Phase = 'downloading' | 'ready' | 'playing' | 'done' | 'failed' | 'withdrawn';

export interface Entry {
  command: PlayCommand;
  phase: Phase;
  /** Local paths of the verified downloads, in programme order. */
  files?: string[];
  startedAt?: number;
}

export interface ReceiverState {
  entries: Record<string, Entry>;
  pending: Receipt[];
  offsetMs: number | null;
}

export interface StateStore {
  load(): ReceiverState;
  save(state: ReceiverState): void;
}

const empty = (): ReceiverState => ({ entries: {}, pending: [], offsetMs: null });

export class FileState implements StateStore {
  constructor(private readonly path: string) {}

  load(): ReceiverState {
    try {
      return { ...empty(), ...(JSON.parse(readFileSync(this.path, 'utf8')) as ReceiverState) };
    } catch {
      return empty();
    }
  }

  save(state: ReceiverState): void {
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(state));
    renameSync(tmp, this.path);
  }
}

export class MemoryState implements StateStore {
  private state = empty();
  load(): ReceiverState {
    return this.state;
  }
  save(state: ReceiverState): void {
    this.state = state;
  }
}
