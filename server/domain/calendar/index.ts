export * from './can-chi.ts';
export * from './civil-date.ts';
export * from './lunar.ts';
