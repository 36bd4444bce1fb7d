// Which roles may change what in a commune, as the pages ask it to show or hide a button (the
// API decides; these mirror its route declarations).
export const EDITOR_ROLES = ['OFFICER', 'SCHEDULER'] as const;
export const CALENDAR_WRITERS = ['ADMIN', 'SCHEDULER'] as const;
