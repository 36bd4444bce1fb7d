// The domain's role list and the database enum must name the same roles, in the same order:
// server code speaks the domain's Role, the database stores Prisma's.
import { expect, it } from 'vitest';
import { ROLES } from '../../domain/roles.ts';
import { Role } from '../../prisma/generated/enums.ts';

it('the Prisma enum Role equals the domain ROLES', () => {
  expect(Object.values(Role)).toEqual([...ROLES]);
});
