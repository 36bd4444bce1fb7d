// Typed errors thrown by services; the one error middleware turns each into problem+json.
// `code` is stable (clients and tests match on it); title and detail are said in the user's
// language (messages.ts, details.ts).
import type { LocalText } from './details.ts';

export interface FieldIssue {
  field: string;
  message: string;
  /** The message in English when `message` is in another language: clients that word issues themselves match on it. */
  en?: string;
}

export class AppError extends Error {
  /** The detail in both languages, when the site that built it gave both. */
  readonly localText?: LocalText;

  constructor(
    readonly status: number,
    readonly code: string,
    /** The detail: English (also what logs carry), or both languages at once. */
    message: string | LocalText,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(typeof message === 'string' ? message : message.en);
    if (typeof message !== 'string') this.localText = message;
    this.name = new.target.name;
  }
}

export class NotFoundError extends AppError {
  constructor(what = 'resource', code = 'not-found') {
    super(404, code, `${what} not found`);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string, extra: Record<string, unknown> = {}) {
    super(409, code, message, extra);
  }
}

export class ValidationError extends AppError {
  constructor(
    readonly issues: FieldIssue[],
    code = 'invalid-request',
  ) {
    super(400, code, issues.map((i) => `${i.field}: ${i.message}`).join('; '), { errors: issues });
  }
}

export class UnavailableError extends AppError {
  constructor(code: string, message: string, extra: Record<string, unknown> = {}) {
    super(503, code, message, extra);
  }
}
