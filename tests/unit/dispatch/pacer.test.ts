import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pace } from '../../../worker/dispatch/pacer.ts';

// Fake timers move the clock only when told, so these tests check the schedule, not the machine.
// spinMs 0: the fine setImmediate phase would never see fake time advance.
beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'],
  });
});
afterEach(() => vi.useRealTimers());

describe('pacer', () => {
  it('sends the first unit at once and each next one at start + its media offset', async () => {
    const sentAt: number[] = [];
    const pacing = pace({
      count: 5,
      dueMs: (i) => i * 20,
      send: () => sentAt.push(performance.now()),
      spinMs: 0,
    });
    expect(sentAt).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    const report = await pacing.done;
    expect(sentAt.map((t) => t - pacing.startedAt)).toEqual([0, 20, 40, 60, 80]);
    expect(report).toMatchObject({ sent: 5, stopped: false, lateness: { maxMs: 0, late: 0 } });
  });

  it('does not drift when sending takes time: slow sends are caught up, not accumulated', async () => {
    let spent = 0; // time the sends themselves take, as a clock that runs ahead
    const clock = () => performance.now() + spent;
    const sentAt: number[] = [];
    const pacing = pace({
      count: 100,
      dueMs: (i) => i * 20,
      send: () => {
        sentAt.push(clock());
        spent += 5;
      },
      spinMs: 0,
      clock,
    });
    await vi.advanceTimersByTimeAsync(5000);
    await pacing.done;
    // Chained delays would put the last unit at 99 × 25 ms; anchored to the start it goes at 99 × 20.
    const last = (sentAt.at(-1) ?? 0) - pacing.startedAt;
    expect(last).toBeGreaterThanOrEqual(99 * 20);
    expect(last).toBeLessThan(99 * 20 + 20);
    for (const [i, at] of sentAt.entries()) expect(at - pacing.startedAt).toBeGreaterThanOrEqual(i * 20);
  });

  it('catches up after a stall and reports the units it sent late', async () => {
    let stall = 0;
    const clock = () => performance.now() + stall;
    const lateness: number[] = [];
    const pacing = pace({
      count: 4,
      dueMs: (i) => i * 20,
      send: (i, late) => {
        lateness.push(late);
        if (i === 1) stall = 50; // the process froze for 50 ms after unit 1
      },
      spinMs: 0,
      clock,
    });
    await vi.advanceTimersByTimeAsync(100);
    const report = await pacing.done;
    expect(lateness).toEqual([0, 0, 30, 10]);
    expect(report.lateness).toMatchObject({ sent: 4, maxMs: 30, late: 1 });
  });

  it('stops: nothing more is sent, and the report says how far it got', async () => {
    const sent: number[] = [];
    const pacing = pace({ count: 50, dueMs: (i) => i * 20, send: (i) => sent.push(i), spinMs: 0 });
    await vi.advanceTimersByTimeAsync(210);
    pacing.stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await pacing.done).toMatchObject({ sent: 11, stopped: true });
  });
});
