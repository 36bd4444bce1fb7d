import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../platform/logger.ts';
import {
  acquireLease,
  acquireLeases,
  leaseHolder,
  releaseLease,
  renewLease,
} from '../../../prisma/repositories/cluster-lease.ts';
import { LeaseKeeper } from '../../../worker/dispatch/lease-keeper.ts';
import { databaseKinds } from '../../setup/databases.ts';

function must<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) throw new Error('expected a lease');
  return value;
}

describe.each(databaseKinds)('cluster lease on $name', (kind) => {
  let db: Awaited<ReturnType<typeof kind.open>>;
  let clusterId: string;
  beforeAll(async () => {
    db = await kind.openMigrated();
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

  async function clusters(n: number): Promise<string[]> {
    const commune = await db.prisma.commune.findFirstOrThrow();
    const made = await db.prisma.cluster.createManyAndReturn({
      data: Array.from({ length: n }, (_, i) => ({
        communeId: commune.id,
        name: `Cụm ${randomUUID()} ${i}`,
      })),
      select: { id: true },
    });
    return made.map((c) => c.id);
  }

  it('leases many clusters together: one holder per cluster, the highest priority first', async () => {
    const ids = await clusters(3);
    const [a, b, c] = ids as [string, string, string];
    const normalOnA = { clusterId: a, broadcastId: randomUUID(), priority: 'NORMAL' as const, ttlMs: 5_000 };
    const priorityOnA = { ...normalOnA, broadcastId: randomUUID(), priority: 'PRIORITY' as const };
    const onB = { ...normalOnA, clusterId: b, broadcastId: randomUUID() };
    const taken = await acquireLeases(db.prisma, [normalOnA, priorityOnA, onB]);
    expect([...taken.keys()].sort()).toEqual([priorityOnA.broadcastId, onB.broadcastId].sort());

    // Two workers asking for overlapping clusters at once: each cluster ends with one holder,
    // and an emergency's lease names the normal airing it took over.
    const emergencyOnB = { ...onB, broadcastId: randomUUID(), priority: 'EMERGENCY' as const };
    const onC = { ...onB, clusterId: c, broadcastId: randomUUID() };
    const otherOnC = { ...onC, broadcastId: randomUUID() };
    const [first, second] = await Promise.all([
      acquireLeases(db.prisma, [emergencyOnB, onC]),
      acquireLeases(db.prisma, [otherOnC]),
    ]);
    expect(first.get(emergencyOnB.broadcastId)?.preempted).toBe(onB.broadcastId);
    const cHolders = [first.get(onC.broadcastId), second.get(otherOnC.broadcastId)].filter(Boolean);
    expect(cHolders).toHaveLength(1);
    expect(await leaseHolder(db.prisma, c)).toBe(cHolders[0]?.broadcastId);
    for (const lease of [...taken.values(), ...first.values(), ...second.values()])
      await releaseLease(db.prisma, lease);
  });

  it('keeps the leases of all airings with one renewal, and tells the one whose lease was taken', async () => {
    const [a, b] = (await clusters(2)) as [string, string];
    const leases = await acquireLeases(db.prisma, [
      { clusterId: a, broadcastId: randomUUID(), priority: 'NORMAL', ttlMs: 300 },
      { clusterId: b, broadcastId: randomUUID(), priority: 'NORMAL', ttlMs: 300 },
    ]);
    const onA = must([...leases.values()].find((l) => l.clusterId === a));
    const onB = must([...leases.values()].find((l) => l.clusterId === b));
    const keeper = new LeaseKeeper(db.prisma, { ttlMs: 300, renewMs: 100 }, createLogger('silent'));
    const lost: string[] = [];
    const letGoA = keeper.hold({ lease: onA, progress: () => null, lost: () => lost.push('a') });
    const letGoB = keeper.hold({ lease: onB, progress: () => null, lost: () => lost.push('b') });
    // Held well past the ttl: the keeper renews them.
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await leaseHolder(db.prisma, a)).toBe(onA.broadcastId);
    expect(await leaseHolder(db.prisma, b)).toBe(onB.broadcastId);
    expect(lost).toEqual([]);

    await acquireLease(db.prisma, {
      clusterId: b,
      broadcastId: randomUUID(),
      priority: 'EMERGENCY',
      ttlMs: 5_000,
    });
    for (let i = 0; i < 50 && lost.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lost).toEqual(['b']);
    letGoA();
    letGoB();
    await releaseLease(db.prisma, onA);
  });
});
