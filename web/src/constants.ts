// The lists the web shows, from the one place the server takes them too: domain/ (pure rules,
// shared by the API, the worker, the CLI and this app).
export { BULLETIN_STATUSES } from '../../domain/bulletin.ts';
export { BRANCHES, type Branch } from '../../domain/calendar/can-chi.ts';
export { WEEKDAY_CODES } from '../../domain/calendar/civil-date.ts';
export { DRIVER_KINDS, type DriverKind } from '../../domain/driver-config.ts';
export { PRIORITIES, type Priority } from '../../domain/priority.ts';
export { ROLES, type Role } from '../../domain/roles.ts';
