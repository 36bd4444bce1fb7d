// Market calendars through the HTTP API: CRUD in the public rule format, bad rules named by
// field, occurrence previews with lunar labels, and the iCalendar feed.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorld, type SignedIn, signIn, type TestWorld } from '../setup/test-app.ts';

let w: TestWorld;
let scheduler: SignedIn;
let officer: SignedIn;
beforeAll(async () => {
  w = await createTestWorld();
  scheduler = await signIn(w.app, 'scheduler');
  officer = await signIn(w.app, 'officer');
});
afterAll(async () => {
  await w?.close();
});

interface Day {
  date: string;
  label: string;
  dayCanChi: string;
  branch: string;
  lunar: { year: number; month: number; day: number; leap: boolean };
  calendarName: string;
}

/** Civil dates every `step` days from `start` through `end`, by plain UTC arithmetic. */
function everyNDays(start: string, end: string, step: number): string[] {
  const dates: string[] = [];
  for (
    let t = Date.parse(`${start}T00:00:00Z`);
    t <= Date.parse(`${end}T00:00:00Z`);
    t += step * 86_400_000
  ) {
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}

async function createCalendar(body: Record<string, unknown>) {
  const res = await scheduler.send('post', '/api/market-calendars', { communeId: w.communeA.id, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string };
}

describe('market calendar CRUD', () => {
  it('lists the seeded calendar in the public format, Tết closure included', async () => {
    const res = await officer.send('get', `/api/market-calendars?communeId=${w.communeA.id}`).expect(200);
    expect(res.body).toEqual([
      expect.objectContaining({
        communeId: w.communeA.id,
        name: 'Chợ phiên Dào San',
        zone: 'Asia/Ho_Chi_Minh',
        rules: [{ kind: 'weekdays', days: ['SU'] }],
        tet: { closedThroughDay: 3, dailyBeforeTet: 0 },
        exceptions: { cancelled: [], added: [], moved: [] },
        slotCount: 0,
      }),
    ]);
  });

  it('lets a scheduler create a calendar, fills the defaults and audits it', async () => {
    const res = await scheduler
      .send('post', '/api/market-calendars', {
        communeId: w.communeA.id,
        name: 'Chợ Phó Bảng',
        rules: [{ kind: 'branch', branches: ['Tý', 'Ngọ'] }],
      })
      .expect(201);
    expect(res.body).toMatchObject({
      communeId: w.communeA.id,
      name: 'Chợ Phó Bảng',
      zone: 'Asia/Ho_Chi_Minh',
      rules: [{ kind: 'branch', branches: ['Tý', 'Ngọ'] }],
      tet: { closedThroughDay: 3, dailyBeforeTet: 0 },
    });
    const audit = await w.db.prisma.auditEvent.findFirstOrThrow({
      where: { action: 'calendar.create', entityId: res.body.id },
    });
    expect(audit).toMatchObject({ communeId: w.communeA.id, actorName: 'scheduler' });
    expect((audit.after as { rules: unknown }).rules).toEqual([{ kind: 'branch', branches: ['Tý', 'Ngọ'] }]);
    const stored = await w.db.prisma.marketCalendar.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(stored.timeZone).toBe('Asia/Ho_Chi_Minh');
  });

  it('refuses a bad rule with 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ kind: 'weekdays', days: ['XX'] }, 'body.rules.0.days.0'],
      [{ kind: 'nope' }, 'body.rules.0.kind'],
      [{ kind: 'rrule', rrule: 'FREQ=HOURLY' }, 'body.rules.0.rrule'],
      [{ kind: 'lunar-days', days: [31] }, 'body.rules.0.days.0'],
      [{ kind: 'branch', branches: ['Tý'], extra: 1 }, 'body.rules.0.extra'],
    ];
    for (const [rule, field] of cases) {
      const res = await scheduler.send('post', '/api/market-calendars', {
        communeId: w.communeA.id,
        name: `Chợ hỏng ${field}`,
        rules: [{ kind: 'weekdays', days: ['SU'] }, rule],
      });
      expect([res.status, res.body.code], JSON.stringify(rule)).toEqual([400, 'invalid-request']);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field.replace('.0.', '.1.')]);
    }
    const zone = await scheduler.send('post', '/api/market-calendars', {
      communeId: w.communeA.id,
      name: 'Chợ múi giờ sai',
      zone: 'Asia/Nowhere',
      rules: [{ kind: 'weekdays', days: ['SU'] }],
    });
    expect(zone.status).toBe(400);
    expect(zone.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.zone']);
    expect(await w.db.prisma.marketCalendar.count({ where: { name: { startsWith: 'Chợ hỏng' } } })).toBe(0);
  });

  it('changes a calendar with PATCH, keeps what is not sent, refuses a bad rule unchanged', async () => {
    const created = await createCalendar({ name: 'Chợ Bắc Hà', rules: [{ kind: 'weekdays', days: ['SU'] }] });
    const res = await scheduler
      .send('patch', `/api/market-calendars/${created.id}`, {
        exceptions: { cancelled: ['2026-03-01'], moved: [{ from: '2026-03-08', to: '2026-03-07' }] },
      })
      .expect(200);
    expect(res.body).toMatchObject({
      name: 'Chợ Bắc Hà',
      rules: [{ kind: 'weekdays', days: ['SU'] }],
      exceptions: { cancelled: ['2026-03-01'], added: [], moved: [{ from: '2026-03-08', to: '2026-03-07' }] },
    });
    const bad = await scheduler.send('patch', `/api/market-calendars/${created.id}`, {
      rules: [{ kind: 'cycle', every: 0, anchor: '2026-01-02' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.rules.0.every']);
    const after = await officer.send('get', `/api/market-calendars/${created.id}`).expect(200);
    expect(after.body.rules).toEqual([{ kind: 'weekdays', days: ['SU'] }]);
    const audit = await w.db.prisma.auditEvent.findFirstOrThrow({
      where: { action: 'calendar.update', entityId: created.id },
    });
    expect((audit.before as { exceptions: { cancelled: string[] } }).exceptions.cancelled).toEqual([]);
    expect((audit.after as { exceptions: { cancelled: string[] } }).exceptions.cancelled).toEqual([
      '2026-03-01',
    ]);

    const march = await officer
      .send('get', `/api/market-calendars/${created.id}/occurrences?from=2026-03-01&to=2026-03-15`)
      .expect(200);
    expect(march.body.days.map((d: { date: string; source: string }) => [d.date, d.source])).toEqual([
      ['2026-03-07', 'moved'],
      ['2026-03-15', 'rule'],
    ]);
  });

  it('answers 409 for a second calendar of the same name in a commune', async () => {
    const res = await scheduler.send('post', '/api/market-calendars', {
      communeId: w.communeA.id,
      name: 'Chợ phiên Dào San',
      rules: [{ kind: 'weekdays', days: ['SA'] }],
    });
    expect([res.status, res.body.code]).toEqual([409, 'conflict']);
  });

  it('refuses officers (403), other communes (404) and anonymous callers (401)', async () => {
    const body = { communeId: w.communeA.id, name: 'Chợ thử', rules: [{ kind: 'weekdays', days: ['MO'] }] };
    const forbidden = await officer.send('post', '/api/market-calendars', body);
    expect([forbidden.status, forbidden.body.code]).toEqual([403, 'forbidden']);
    const other = await scheduler.send('post', '/api/market-calendars', {
      ...body,
      communeId: w.communeB.id,
    });
    expect([other.status, other.body.code]).toEqual([404, 'not-found']);
    const calendarB = await w.db.prisma.marketCalendar.create({
      data: { communeId: w.communeB.id, name: 'Chợ Lũng Cú', rules: [{ kind: 'weekdays', days: ['SU'] }] },
    });
    for (const path of [
      `/api/market-calendars/${calendarB.id}`,
      `/api/market-calendars/${calendarB.id}/occurrences`,
      `/api/communes/${w.communeB.id}/market-days`,
      `/api/communes/${w.communeB.id}/market-days.ics`,
    ]) {
      const res = await scheduler.send('get', path);
      expect([res.status, res.body.code], path).toEqual([404, 'not-found']);
    }
    const listed = await scheduler
      .send('get', `/api/market-calendars?communeId=${w.communeB.id}`)
      .expect(200);
    expect(listed.body).toEqual([]);
    const anonymous = await request(w.app).get('/api/market-calendars');
    expect([anonymous.status, anonymous.body.code]).toEqual([401, 'unauthenticated']);
    const badId = await scheduler.send('get', '/api/market-calendars/not-a-uuid');
    expect(badId.status).toBe(400);
    expect(badId.body.errors[0].field).toBe('params.calendarId');
  });

  it('deletes a calendar only once its slots are gone, and audits it', async () => {
    const created = await createCalendar({
      name: 'Chợ tạm',
      rules: [{ kind: 'solar-days', days: [3, 13, 23] }],
    });
    const slot = await w.db.prisma.slot.create({
      data: { calendarId: created.id, timeOfDay: '07:00', durationSec: 60, durationGiven: true },
    });
    const blocked = await scheduler.send('delete', `/api/market-calendars/${created.id}`);
    expect([blocked.status, blocked.body.code, blocked.body.slotCount]).toEqual([
      409,
      'calendar-has-slots',
      1,
    ]);
    await w.db.prisma.slot.delete({ where: { id: slot.id } });
    await scheduler.send('delete', `/api/market-calendars/${created.id}`).expect(204);
    expect(await w.db.prisma.marketCalendar.findUnique({ where: { id: created.id } })).toBeNull();
    const audit = await w.db.prisma.auditEvent.findFirstOrThrow({
      where: { action: 'calendar.delete', entityId: created.id },
    });
    expect((audit.before as { name: string }).name).toBe('Chợ tạm');
    const again = await scheduler.send('delete', `/api/market-calendars/${created.id}`);
    expect([again.status, again.body.code]).toEqual([404, 'not-found']);
  });
});

describe('occurrence preview', () => {
  it('Phó Bảng (Tý and Ngọ days) every 6 days, closed on 3 tháng Giêng, labelled for officers', async () => {
    const phoBang = (await officer.send('get', `/api/market-calendars?communeId=${w.communeA.id}`)).body.find(
      (c: { name: string }) => c.name === 'Chợ Phó Bảng',
    );
    const res = await officer
      .send('get', `/api/market-calendars/${phoBang.id}/occurrences?from=2026-01-01&to=2026-03-05`)
      .expect(200);
    const days = res.body.days as Day[];
    // 2026-01-02 is a Bính Tý day (JDN 2461043: branch (JDN+1) mod 12 = 0); 2026-02-19 is
    // lunar 3/1, inside the default Tết closure.
    const expected = everyNDays('2026-01-02', '2026-03-05', 6).filter((d) => d !== '2026-02-19');
    expect(days.map((d) => d.date)).toEqual(expected);
    expect(days.every((d) => d.branch === 'Tý' || d.branch === 'Ngọ')).toBe(true);
    expect(days[0]).toMatchObject({ date: '2026-01-02', dayCanChi: 'Bính Tý', branch: 'Tý' });
    expect(days.find((d) => d.date === '2026-03-03')).toMatchObject({
      label: 'phiên chợ ngày Tý, 15 tháng Giêng',
      dayCanChi: 'Bính Tý',
      lunar: { year: 2026, month: 1, day: 15, leap: false },
    });
    expect(res.body).toMatchObject({ from: '2026-01-01', to: '2026-03-05', zone: 'Asia/Ho_Chi_Minh' });
  });

  it('Khâu Vai lunar 2-7-12-17-22-27 across the leap 6th month of 2025 and Tết 2026', async () => {
    const khauVai = await createCalendar({
      name: 'Chợ Khâu Vai',
      rules: [
        { kind: 'lunar-days', days: [2, 7, 12, 17, 22, 27] },
        { kind: 'lunar-yearly', month: 3, day: 27, eveDays: 1 },
      ],
    });
    const leap = await officer
      .send('get', `/api/market-calendars/${khauVai.id}/occurrences?from=2025-07-20&to=2025-08-26`)
      .expect(200);
    const leapDays = leap.body.days as Day[];
    // Tháng Sáu nhuận Ất Tỵ runs from 2025-07-25 to 2025-08-22; tháng Bảy starts 2025-08-23.
    expect(leapDays.map((d) => d.date)).toEqual([
      '2025-07-21',
      '2025-07-26',
      '2025-07-31',
      '2025-08-05',
      '2025-08-10',
      '2025-08-15',
      '2025-08-20',
      '2025-08-24',
    ]);
    expect(leapDays[1]).toMatchObject({
      label: 'phiên chợ ngày Thân, 2 tháng Sáu nhuận',
      lunar: { year: 2025, month: 6, day: 2, leap: true },
    });
    expect(leapDays[0]?.label).toBe('phiên chợ ngày Mão, 27 tháng Sáu');
    expect(leapDays[7]?.label).toMatch(/, 2 tháng Bảy$/);

    const tet = await officer
      .send('get', `/api/market-calendars/${khauVai.id}/occurrences?from=2026-02-01&to=2026-02-28`)
      .expect(200);
    // Tết Bính Ngọ is 2026-02-17; 2 tháng Giêng (02-18) falls in the closure.
    expect(
      (tet.body.days as Day[]).map((d) => [d.date, d.label.replace(/^phiên chợ ngày [^,]+, /, '')]),
    ).toEqual([
      ['2026-02-04', '17 tháng Chạp'],
      ['2026-02-09', '22 tháng Chạp'],
      ['2026-02-14', '27 tháng Chạp'],
      ['2026-02-23', '7 tháng Giêng'],
      ['2026-02-28', '12 tháng Giêng'],
    ]);

    const loveMarket = await officer
      .send('get', `/api/market-calendars/${khauVai.id}/occurrences?from=2026-05-11&to=2026-05-14`)
      .expect(200);
    expect((loveMarket.body.days as Day[]).map((d) => d.label)).toEqual([
      expect.stringMatching(/, 26 tháng Ba$/),
      expect.stringMatching(/, 27 tháng Ba$/),
    ]);
  });

  it('merges every calendar of the commune, by date', async () => {
    const res = await officer
      .send('get', `/api/communes/${w.communeA.id}/market-days?from=2026-01-01&to=2026-01-10`)
      .expect(200);
    const days = res.body.days as Day[];
    expect(days.filter((d) => d.calendarName === 'Chợ phiên Dào San').map((d) => d.date)).toEqual([
      '2026-01-04',
    ]);
    expect(days.filter((d) => d.calendarName === 'Chợ Phó Bảng').map((d) => d.date)).toEqual([
      '2026-01-02',
      '2026-01-08',
    ]);
    expect(days.map((d) => d.date)).toEqual([...days.map((d) => d.date)].sort());
  });

  it('bounds the range and names the bad field', async () => {
    const path = `/api/communes/${w.communeA.id}/market-days`;
    const cases: [string, string][] = [
      ['?from=2026-02-30', 'query.from'],
      ['?from=2026-03-01&to=2026-02-01', 'query.to'],
      ['?from=2026-01-01&to=2027-02-05', 'query.to'],
      ['?from=1900-01-01&to=1900-02-01', 'query.from'],
      ['?since=2026-01-01', 'query.since'],
    ];
    for (const [query, field] of cases) {
      const res = await officer.send('get', path + query);
      expect([res.status, res.body.code], query).toEqual([400, 'invalid-request']);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
    const longest = await officer.send('get', `${path}?from=2026-01-01&to=2027-02-04`);
    expect(longest.status).toBe(200);
    const defaulted = await officer.send('get', path).expect(200);
    expect(defaulted.body.days.length).toBeGreaterThan(0);
  });
});

describe('iCalendar feed', () => {
  /** Unfolds RFC 5545 lines (CRLF + space continues the previous line). */
  const unfold = (text: string) => text.replace(/\r\n /g, '').split('\r\n');

  it('lists every market day of the commune as an explicit all-day event', async () => {
    const res = await officer
      .send('get', `/api/communes/${w.communeA.id}/market-days.ics?from=2026-02-01&to=2026-03-31`)
      .buffer(true)
      .parse((r, done) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (chunk: string) => {
          text += chunk;
        });
        r.on('end', () => done(null, text));
      })
      .expect(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const text = res.body as string;
    expect(text.split('\r\n').every((line) => Buffer.byteLength(line) <= 75)).toBe(true);
    const lines = unfold(text);
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines.filter((l) => l === 'END:VCALENDAR')).toHaveLength(1);
    expect(lines.some((l) => l.startsWith('RRULE'))).toBe(false);
    const starts = lines.filter((l) => l.startsWith('DTSTART;VALUE=DATE:')).map((l) => l.slice(-8));
    const uids = lines.filter((l) => l.startsWith('UID:'));
    expect(new Set(uids).size).toBe(uids.length);
    expect(lines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(starts.length);

    const json = await officer
      .send('get', `/api/communes/${w.communeA.id}/market-days?from=2026-02-01&to=2026-03-31`)
      .expect(200);
    expect([...starts].sort()).toEqual(json.body.days.map((d: Day) => d.date.replaceAll('-', '')));
    // Phó Bảng's Tý day 2026-03-03, as an event the phone shows with its lunar label.
    expect(lines).toContain('SUMMARY:Chợ Phó Bảng – phiên chợ ngày Tý\\, 15 tháng Giêng');
    expect(starts).toContain('20260223');
    expect(starts).not.toContain('20260218');
  });

  it('covers the next 12 months by default', async () => {
    const res = await officer.send('get', `/api/communes/${w.communeA.id}/market-days.ics`).expect(200);
    const text = String(res.text);
    const starts = unfold(text)
      .filter((l) => l.startsWith('DTSTART;VALUE=DATE:'))
      .map((l) => l.slice(-8))
      .sort();
    const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    // At least the seeded Sunday market, ~52 times a year (some fall in the Tết closure).
    expect(starts.filter((d, i, all) => all.indexOf(d) === i).length).toBeGreaterThan(45);
    expect(Number(starts[0])).toBeGreaterThanOrEqual(Number(today) - 1);
    expect(Number(starts.at(-1))).toBeLessThan(Number(today) + 10_100);
  });

  it('accepts an API token in the Authorization header, never in the URL', async () => {
    const admin = await signIn(w.app, 'admin');
    const user = await w.db.prisma.user.findUniqueOrThrow({ where: { username: 'officer' } });
    const token = (
      await admin.send('post', '/api/tokens', { name: 'Điện thoại', userId: user.id }).expect(201)
    ).body.token as string;
    const path = `/api/communes/${w.communeA.id}/market-days.ics`;
    const withHeader = await request(w.app).get(path).set('Authorization', `Bearer ${token}`);
    expect(withHeader.status).toBe(200);
    expect(withHeader.headers['content-type']).toMatch(/^text\/calendar/);
    const inUrl = await request(w.app).get(`${path}?token=${token}`);
    expect([inUrl.status, inUrl.body.code]).toEqual([401, 'unauthenticated']);
    const none = await request(w.app).get(path);
    expect([none.status, none.body.code]).toEqual([401, 'unauthenticated']);
  });

  it('gives phones a subscription URL whose key reads only that commune’s feed', async () => {
    const officer = await signIn(w.app, 'officer');
    const { path } = (
      await officer.send('get', `/api/communes/${w.communeA.id}/market-days/subscription`).expect(200)
    ).body as { path: string };
    expect(path).toMatch(new RegExp(`^/api/feeds/market-days/${w.communeA.id}\\.ics\\?key=[\\w-]{32}$`));
    const feed = await request(w.app).get(path).expect(200);
    expect(feed.headers['content-type']).toMatch(/^text\/calendar/);
    expect(feed.text).toContain('BEGIN:VCALENDAR');
    const sameKeyOtherCommune = path.replace(w.communeA.id, w.communeB.id);
    const other = await request(w.app).get(sameKeyOtherCommune);
    expect([other.status, other.body.code]).toEqual([404, 'not-found']);
    const noKey = await request(w.app).get(path.split('?')[0] as string);
    expect(noKey.status).toBe(400);
  });

  it('revokes every subscription URL handed out when a scheduler asks for a new one', async () => {
    const officer = await signIn(w.app, 'officer');
    const scheduler = await signIn(w.app, 'scheduler');
    const subscriptionOf = `/api/communes/${w.communeA.id}/market-days/subscription`;
    const old = (await officer.send('get', subscriptionOf).expect(200)).body.path as string;
    await request(w.app).get(old).expect(200);

    const denied = await officer.send('post', `${subscriptionOf}/rotate`);
    expect([denied.status, denied.body.code]).toEqual([403, 'forbidden']);
    const rotated = (await scheduler.send('post', `${subscriptionOf}/rotate`).expect(200)).body
      .path as string;

    expect(rotated).not.toBe(old);
    expect((await officer.send('get', subscriptionOf).expect(200)).body.path).toBe(rotated);
    const revoked = await request(w.app).get(old);
    expect([revoked.status, revoked.body.code]).toEqual([404, 'not-found']);
    expect((await request(w.app).get(rotated).expect(200)).text).toContain('BEGIN:VCALENDAR');
    const audit = await w.db.prisma.auditEvent.findFirstOrThrow({
      where: { action: 'market-days-feed.rotate', entityId: w.communeA.id },
    });
    expect(audit.actorName).toBe('scheduler');
  });
});
