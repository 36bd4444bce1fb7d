import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../../prisma/migrate.ts';
import {
  acquireLease,
  leaseHolder,
  releaseLease,
  renewLease,
} from '../../../prisma/repositories/cluster-lease.ts';
import { databaseKinds } from '../../setup/databases.ts';

function must<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) throw new Error('expected a lease');
  return value;
}

describe.each(databaseKinds)('cluster lease on $name', (kind) => {
  let db: Awaited<ReturnType<typeof kind.open>>;
  let clusterId: string;
  beforeAll(async () => {
    db = await kind.open();
    await applyMigrations(db.adapterFactory);
    const commune = await db.prisma.commune.create({
      data: { code: 'TEST', name: 'Xã thử', province: 'Lai Châu', languages: ['vie'] },
    });
    clusterId = (await db.prisma.cluster.create({ data: { communeId: commune.id, name: 'Cụm chợ' } })).id;
  });
  afterAll(() => db?.drop());

  const request = (priority: 'NORMAL' | 'PRIORITY' | 'EMERGENCY', ttlMs = 5_000) => ({
    clusterId,
    broadcastId: randomUUID(),
    priority,
    ttlMs,
  });

  it('holds one airing at a time; an emergency takes it and fences the old holder out', async () => {
    const normal = request('NORMAL');
    const held = await acquireLease(db.prisma, normal);
    expect(held).toMatchObject({ broadcastId: normal.broadcastId, preempted: null });
    expect(await leaseHolder(db.prisma, clusterId)).toBe(normal.broadcastId);

    // Same or lower priority waits.
    expect(await acquireLease(db.prisma, request('NORMAL'))).toBeNull();
    expect(await renewLease(db.prisma, must(held), 5_000)).toBe(true);

    const emergency = request('EMERGENCY');
    const taken = await acquireLease(db.prisma, emergency);
    expect(taken).toMatchObject({ broadcastId: emergency.broadcastId, preempted: normal.broadcastId });
    expect(must(taken).token).toBe(must(held).token + 1n);
    // The stale holder's renewal fails: it must stop sending.
    expect(await renewLease(db.prisma, must(held), 5_000)).toBe(false);
    // …and its release does not free the new holder's lease.
    await releaseLease(db.prisma, must(held));
    expect(await leaseHolder(db.prisma, clusterId)).toBe(emergency.broadcastId);

    await releaseLease(db.prisma, must(taken));
    expect(await leaseHolder(db.prisma, clusterId)).toBeNull();
  });

  it('lets anyone take an expired lease, and the holder re-acquire its own', async () => {
    const first = request('EMERGENCY', -1);
    await acquireLease(db.prisma, first);
    const next = await acquireLease(db.prisma, request('NORMAL'));
    expect(next?.preempted).toBeNull();
    const again = await acquireLease(db.prisma, {
      ...request('NORMAL'),
      broadcastId: must(next).broadcastId,
    });
    expect(again?.token).toBe(must(next).token + 1n);
    await releaseLease(db.prisma, must(again));
  });
});
