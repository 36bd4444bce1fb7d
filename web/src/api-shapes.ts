// Names for the shapes the API sends and takes, all read off the generated api-types.ts (the
// server's own OpenAPI document): nothing here is written out by hand, so a field added on the
// server reaches the web by `npm run web:types`. Dates arrive as ISO strings.
import type { components, paths } from './api-types.ts';

type Schemas = components['schemas'];
type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';
/** The JSON body an operation takes. */
type JsonIn<P extends keyof paths, M extends Method> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;
/** The JSON an operation answers with on success. */
type JsonOut<P extends keyof paths, M extends Method> = paths[P][M] extends {
  responses: { [status in 200 | 201]?: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;

export type Session = Schemas['Session'];
export type User = Schemas['User'];
export type RoleAssignment = Schemas['RoleAssignment'];
/** What the API accepts for a role: a province or a commune or neither (everything). */
export type RoleAssignmentIn = NonNullable<JsonIn<'/api/users', 'post'>['roles']>[number];
export type NewUser = JsonIn<'/api/users', 'post'>;
export type UserUpdate = JsonIn<'/api/users/{userId}', 'patch'>;

export type ApiToken = Schemas['ApiToken'];
/** A new token with its secret (`token`), which only this answer carries. */
export type CreatedApiToken = JsonOut<'/api/tokens', 'post'>;

export type Language = Schemas['Language'];
export type Commune = Schemas['Commune'];
export type CommuneIn = JsonIn<'/api/communes', 'post'>;
export type CommuneUpdate = JsonIn<'/api/communes/{communeId}', 'patch'>;

export type Cluster = Schemas['Cluster'];
export type ClusterIn = JsonIn<'/api/clusters', 'post'>;
export type ClusterUpdate = JsonIn<'/api/clusters/{clusterId}', 'patch'>;

export type AuditEvent = Schemas['AuditEvent'];
export type AuditQuery = NonNullable<paths['/api/audit']['get']['parameters']['query']>;

export type LogVerification = Schemas['LogVerification'];
export type LogVerificationQuery = NonNullable<paths['/api/log/verification']['get']['parameters']['query']>;

/** RFC 9457 problem details as the API sends them. */
export type Problem = Schemas['Problem'];
export type FieldIssue = NonNullable<Problem['errors']>[number];

export type BulletinSummary = Schemas['BulletinSummary'];
export type Bulletin = Schemas['Bulletin'];
export type BulletinStatus = Bulletin['status'];
export type BulletinTrack = Schemas['BulletinTrack'];
export type TrackSource = BulletinTrack['source'];
/** How a bulletin plays: gap between languages, repeats, chimes. */
export type PlaySettings = Bulletin['settings'];
export type Rendition = Schemas['Rendition'];
export type BulletinIn = JsonIn<'/api/bulletins', 'post'>;
export type BulletinUpdate = JsonIn<'/api/bulletins/{bulletinId}', 'patch'>;
export type BulletinQuery = NonNullable<paths['/api/bulletins']['get']['parameters']['query']>;
export type TtsEngine = JsonOut<'/api/tts/engines', 'get'>[number];
/** What the events stream says (GET /api/bulletins/{id}/events): the changing part of a bulletin. */
export type BulletinStatusEvent = Pick<Bulletin, 'status' | 'progress' | 'failureReason' | 'revision'>;

/**
 * One part of a programme rendition's timeline. The server describes `Rendition.segments` as
 * any JSON (z.unknown()), so this one shape is the web's reading of it.
 */
export interface ProgrammeSegment {
  kind: 'chime' | 'language' | 'outro-chime';
  language?: string;
  repetition: number;
  startSec: number;
  durationSec: number;
}
/** The programme's timeline; empty for a single language. */
export const segmentsOf = (rendition: Rendition): ProgrammeSegment[] =>
  (rendition.segments as ProgrammeSegment[] | null | undefined) ?? [];

export type MarketCalendar = Schemas['MarketCalendar'];
export type MarketCalendarIn = JsonIn<'/api/market-calendars', 'post'>;
export type MarketCalendarUpdate = JsonIn<'/api/market-calendars/{calendarId}', 'patch'>;
/** A market rule as written to the API (defaults may be left out). */
export type MarketRule = MarketCalendarIn['rules'][number];
export type MarketRuleKind = MarketRule['kind'];
export type MarketExceptions = MarketCalendar['exceptions'];
export type TetPolicy = MarketCalendar['tet'];
export type ShortMonthPolicy = NonNullable<Extract<MarketRule, { kind: 'lunar-days' }>['day30']>;
export type MarketDays = Schemas['MarketDays'];
export type MarketDay = Schemas['MarketDay'];
export type WeekdayCode = MarketDay['weekday'];
export type Branch = MarketDay['branch'];

export type Slot = Schemas['Slot'];
export type SavedSlot = Schemas['SavedSlot'];
export type SlotCollision = Schemas['SlotCollision'];
export type SlotResolution = SlotCollision['resolution'];
export type SlotIn = JsonIn<'/api/slots', 'post'>;
export type SlotUpdate = JsonIn<'/api/slots/{slotId}', 'patch'>;
export type SlotQuery = NonNullable<paths['/api/slots']['get']['parameters']['query']>;

export type Broadcast = Schemas['Broadcast'];
export type BroadcastStatus = Broadcast['status'];
export type BroadcastQuery = NonNullable<paths['/api/broadcasts']['get']['parameters']['query']>;
export type Board = Schemas['Board'];
export type BoardCluster = Schemas['BoardCluster'];
export type HealthState = BoardCluster['health']['state'];
export type EmergencyIn = JsonIn<'/api/emergencies', 'post'>;
/** What an emergency or a test tone answers: the rows made, one per cluster, being aired. */
export type NowRequest = Schemas['NowRequest'];
