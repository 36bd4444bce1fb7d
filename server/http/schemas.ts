// Building blocks for request schemas: strict objects (unknown fields are refused), bounded
// strings, ids.
import { z } from 'zod';
import { ROLES } from '../../domain/roles.ts';

export const Uuid = z.uuid('must be a UUID');
export const Name = (max = 120) =>
  z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);
export const Province = Name(80);
export const RoleName = z.enum(ROLES);
export const IsoDateTime = z.iso.datetime({ offset: true });
