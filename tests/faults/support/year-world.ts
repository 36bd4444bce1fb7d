// The year case's world: three communes (the dispatch world's and two more), 50 recorder
// clusters, and in each commune one bulletin (the world's rendition), one market calendar of its
// own kind and one 07:00 slot on all its clusters.
import type { DispatchWorld } from '../../integration/dispatch/world.ts';
import { readyBulletin } from './slot-world.ts';

export interface YearCommune {
  id: string;
  code: string;
  rule: 'cycle-5' | 'lunar-1-15' | 'branch-ty-ngo';
  clusterIds: string[];
  slotId: string;
}

const PLAN = [
  { code: 'DSP', rule: 'cycle-5', clusters: 17, rules: [{ kind: 'cycle', every: 5, anchor: '2026-01-03' }] },
  { code: 'YLN', rule: 'lunar-1-15', clusters: 17, rules: [{ kind: 'lunar-days', days: [1, 15] }] },
  { code: 'YBR', rule: 'branch-ty-ngo', clusters: 16, rules: [{ kind: 'branch', branches: ['Tý', 'Ngọ'] }] },
] as const;

export async function yearCommunes(world: DispatchWorld): Promise<YearCommune[]> {
  const p = world.db.prisma;
  const author = await p.user.create({
    data: { username: 'year-author', displayName: 'Tác giả', passwordHash: 'x' },
  });
  const made: YearCommune[] = [];
  for (const plan of PLAN) {
    const communeId =
      plan.code === 'DSP'
        ? world.communeId
        : (
            await p.commune.create({
              data: { code: plan.code, name: `Xã ${plan.code}`, province: 'Lai Châu', languages: ['vie'] },
            })
          ).id;
    const clusterIds: string[] = [];
    for (let i = 0; i < plan.clusters; i++) {
      clusterIds.push(
        (await p.cluster.create({ data: { communeId, name: `Cụm ${plan.code} ${i + 1}` } })).id,
      );
    }
    const bulletin = await readyBulletin(world, communeId, author.id, `Bản tin ${plan.code}`);
    const calendar = await p.marketCalendar.create({
      data: { communeId, name: `Chợ ${plan.code}`, rules: plan.rules as unknown as object[] },
    });
    const slot = await p.slot.create({
      data: {
        calendarId: calendar.id,
        timeOfDay: '07:00',
        durationSec: 1,
        clusters: { create: clusterIds.map((clusterId) => ({ clusterId })) },
        playlist: { create: [{ position: 0, bulletinId: bulletin.id }] },
      },
    });
    made.push({ id: communeId, code: plan.code, rule: plan.rule, clusterIds, slotId: slot.id });
  }
  return made;
}
