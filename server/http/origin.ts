// Where a request came from, as the audit trail records it.
import type { Request } from 'express';
import type { Origin } from '../../domain/access.ts';

export function requestOrigin(req: Request): Origin {
  return { ip: req.ip ?? '', userAgent: String(req.headers['user-agent'] ?? '').slice(0, 300) };
}
