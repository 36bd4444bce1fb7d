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
}

export interface BulletinUpdate {
  title?: string;
  programme?: string;
  priority?: Priority;
  validFrom?: string | null;
  validUntil?: string | null;
  settings?: Partial<PlaySettings>;
  order?: string[];
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
