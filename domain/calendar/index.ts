export * from './can-chi.ts';
export * from './civil-date.ts';
export * from './ical.ts';
export * from './lunar.ts';
export * from './market-calendar.ts';
export * from './market-rule.ts';
export * from './slot-conflicts.ts';
export * from './slot-time.ts';
