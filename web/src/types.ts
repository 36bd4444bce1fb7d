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
