// The four roles of Loa (the Prisma enum `Role` mirrors this list; a test keeps them equal).
export const ROLES = ['ADMIN', 'OFFICER', 'SCHEDULER', 'AUDITOR'] as const;
export type Role = (typeof ROLES)[number];
