// Shapes the API answers with, written by hand to mirror the server's zod output schemas
// (server/modules/**/routes.ts, server/modules/accounts/me.ts). Dates arrive as ISO strings.

export type Role = 'ADMIN' | 'OFFICER' | 'SCHEDULER' | 'AUDITOR';
export const ROLES: Role[] = ['ADMIN', 'OFFICER', 'SCHEDULER', 'AUDITOR'];

export interface RoleAssignment {
  role: Role;
  province: string | null;
  communeId: string | null;
  communeName: string | null;
}

/** What the API accepts for a role: a province or a commune or neither (everything). */
export interface RoleAssignmentIn {
  role: Role;
  province?: string | null;
  communeId?: string | null;
}

export interface User {
  id: string;
  username: string;
  displayName: string;
  locale: string;
  disabled: boolean;
  createdAt: string;
  roles: RoleAssignment[];
}

export interface Session {
  user: User;
  csrfToken: string;
}

export interface Language {
  code: string;
  nameVi: string;
  nameEn: string;
}

export interface Commune {
  id: string;
  code: string;
  name: string;
  province: string;
  timeZone: string;
  languages: string[];
}

export type CommuneIn = Omit<Commune, 'id'>;

export type DriverKind = 'RECORDER' | 'RTP' | 'HTTP_PUSH' | 'ICECAST' | 'MQTT' | 'SIP';
export const DRIVER_KINDS: DriverKind[] = ['RECORDER', 'RTP', 'HTTP_PUSH', 'ICECAST', 'MQTT', 'SIP'];

export interface Cluster {
  id: string;
  communeId: string;
  name: string;
  location: string;
  latitude: number | null;
  longitude: number | null;
  driverKind: DriverKind;
  /** Secrets (a password) are write-only and never come back. */
  driverConfig: Record<string, unknown>;
  enabled: boolean;
}

export type ClusterIn = Omit<Cluster, 'id'>;
export type ClusterUpdate = Partial<Omit<ClusterIn, 'communeId'>>;

export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  userId: string;
  username: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiToken extends ApiToken {
  /** The secret itself: in this answer only. */
  token: string;
}

export interface AuditEvent {
  id: string;
  at: string;
  actorId: string | null;
  actorName: string;
  via: string;
  action: string;
  entityType: string;
  entityId: string | null;
  communeId: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  ip: string;
  userAgent: string;
}

export interface FieldIssue {
  field: string;
  message: string;
}

/** RFC 9457 problem details as the API sends them. */
export interface Problem {
  status: number;
  code: string;
  title: string;
  detail?: string;
  errors?: FieldIssue[];
  retryAfterSeconds?: number;
}

export type Priority = 'NORMAL' | 'PRIORITY' | 'EMERGENCY';
export const PRIORITIES: Priority[] = ['NORMAL', 'PRIORITY', 'EMERGENCY'];
export type BulletinStatus = 'DRAFT' | 'UPLOADED' | 'PROCESSING' | 'READY' | 'FAILED';
export const BULLETIN_STATUSES: BulletinStatus[] = ['DRAFT', 'UPLOADED', 'PROCESSING', 'READY', 'FAILED'];
export type TrackSource = 'UPLOAD' | 'RECORDING' | 'TTS';

/** How a bulletin plays: gap between languages, repeats, chimes (server/modules/bulletins/schemas.ts). */
export interface PlaySettings {
  gapSec: number;
  repeat: number;
  repeatGapSec: number;
  chime: boolean;
  outroChime: boolean;
}

export interface BulletinTrack {
  language: string;
  languageName: string;
  position: number;
  source: TrackSource;
  originalName: string;
  sha256: string;
  durationSec: number;
  codec: string;
}

export interface ProgrammeSegment {
  kind: 'chime' | 'language' | 'outro-chime';
  language?: string;
  repetition: number;
  startSec: number;
  durationSec: number;
}

export interface Rendition {
  id: string;
  /** null: the whole programme. */
  language: string | null;
  profileId: string;
  mimeType: string;
  codec: string;
  sampleRate: number;
  channels: number;
  bytes: number;
  sha256: string;
  durationSec: number;
  integratedLufs: number;
  truePeakDbtp: number;
  peakTrimDb: number;
  /** Interleaved min/max pairs in −1..1. */
  peaks: number[];
  /** The programme's timeline; null for a single language. */
  segments: ProgrammeSegment[] | null;
  url: string;
}

interface BulletinBase {
  id: string;
  communeId: string;
  title: string;
  programme: string;
  priority: Priority;
  validFrom: string | null;
  validUntil: string | null;
  status: BulletinStatus;
  failureReason: string | null;
  progress: number;
  settings: PlaySettings;
  revision: number;
  authorId: string;
  approvedById: string | null;
  approvedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface BulletinSummary extends BulletinBase {
  languages: string[];
}

export interface Bulletin extends BulletinBase {
  tracks: BulletinTrack[];
  renditions: Rendition[];
}

export interface BulletinIn {
  communeId: string;
  title: string;
  programme?: string;
  priority?: Priority;
  validFrom?: string | null;
  validUntil?: string | null;
  settings?: PlaySettings;
  /** Required for an emergency bulletin; kept in the audit trail. */
  reason?: string;
}

export interface BulletinUpdate {
  title?: string;
  programme?: string;
  priority?: Priority;
  validFrom?: string | null;
  validUntil?: string | null;
  settings?: Partial<PlaySettings>;
  order?: string[];
  reason?: string;
}

export interface TtsEngine {
  id: string;
  label: string;
  languages: string[];
  unavailableReason: string | null;
}

/** What the events stream says (GET /api/bulletins/:id/events). */
export interface BulletinStatusEvent {
  status: BulletinStatus;
  progress: number;
  failureReason: string | null;
  revision: number;
}

/** RFC 5545 day codes, Monday first. */
export type WeekdayCode = 'MO' | 'TU' | 'WE' | 'TH' | 'FR' | 'SA' | 'SU';
export const WEEKDAY_CODES: WeekdayCode[] = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
/** Earthly branches (địa chi) in Vietnamese, Tý first. */
export const BRANCHES = [
  'Tý',
  'Sửu',
  'Dần',
  'Mão',
  'Thìn',
  'Tỵ',
  'Ngọ',
  'Mùi',
  'Thân',
  'Dậu',
  'Tuất',
  'Hợi',
] as const;
export type Branch = (typeof BRANCHES)[number];
export type ShortMonthPolicy = 'skip' | 'day29';

/** The public market-rule format (server/domain/calendar/market-rule.ts). */
export type MarketRule =
  | { kind: 'weekdays'; days: WeekdayCode[] }
  | { kind: 'branch'; branches: Branch[] }
  | { kind: 'cycle'; every: number; anchor: string }
  | { kind: 'lunar-days'; days: number[]; day30?: ShortMonthPolicy }
  | { kind: 'solar-days'; days: number[] }
  | { kind: 'lunar-yearly'; month: number; day: number; eveDays?: number; day30?: ShortMonthPolicy }
  | { kind: 'rrule'; rrule: string };
export type MarketRuleKind = MarketRule['kind'];
export const MARKET_RULE_KINDS: MarketRuleKind[] = [
  'weekdays',
  'branch',
  'cycle',
  'lunar-days',
  'solar-days',
  'lunar-yearly',
  'rrule',
];

export interface MarketExceptions {
  cancelled: string[];
  added: string[];
  moved: { from: string; to: string }[];
}

export interface TetPolicy {
  closedThroughDay: number;
  dailyBeforeTet: number;
}

export interface MarketCalendar {
  id: string;
  communeId: string;
  name: string;
  zone: string;
  rules: MarketRule[];
  exceptions: MarketExceptions;
  tet: TetPolicy;
  slotCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface MarketCalendarIn {
  communeId: string;
  name: string;
  zone?: string;
  rules: MarketRule[];
  exceptions?: MarketExceptions;
  tet?: TetPolicy;
}

export type MarketCalendarUpdate = Partial<Omit<MarketCalendarIn, 'communeId'>>;

export interface MarketDay {
  date: string;
  weekday: WeekdayCode;
  lunar: { year: number; month: number; day: number; leap: boolean };
  dayCanChi: string;
  branch: Branch;
  label: string;
  source: 'rule' | 'tet-run-up' | 'added' | 'moved';
  movedFrom?: string;
  calendarId: string;
  calendarName: string;
}

export interface MarketDays {
  from: string;
  to: string;
  zone: string;
  days: MarketDay[];
}

export interface Slot {
  id: string;
  calendarId: string;
  communeId: string;
  name: string;
  /** HH:mm in `zone`. */
  time: string;
  zone: string;
  durationSec: number;
  durationGiven: boolean;
  airtimeSec: number;
  priority: Priority;
  repeat: number;
  repeatGapSec: number;
  enabled: boolean;
  order: number | null;
  clusterIds: string[];
  bulletinIds: string[];
  upcoming: { date: string; start: string }[];
  createdAt: string;
  updatedAt: string;
}

export type SlotResolution =
  | 'emergency-preempts'
  | 'priority-first'
  | 'normal-gives-way'
  | 'scheduler-orders';

/** Another slot the saved one meets on the same clusters (server/modules/slots/schemas.ts). */
export interface SlotCollision {
  slotId: string;
  slotName: string;
  time: string;
  priority: Priority;
  calendarId: string;
  calendarName: string;
  resolution: SlotResolution;
  winnerSlotId: string | null;
  clusters: { id: string; name: string }[];
  dates: string[];
}

export interface SavedSlot extends Slot {
  warnings: SlotCollision[];
}

export interface SlotIn {
  calendarId: string;
  name?: string;
  time: string;
  priority?: Priority;
  repeat?: number;
  repeatGapSec?: number;
  clusterIds: string[];
  bulletinIds: string[];
  durationSec?: number | null;
  enabled?: boolean;
  order?: number | null;
}

export type SlotUpdate = Partial<Omit<SlotIn, 'calendarId'>>;
