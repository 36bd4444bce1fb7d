// Typed errors thrown by services; the one error middleware turns each into problem+json.
// `code` is stable (clients and tests match on it); the title is said in the user's language.

export interface FieldIssue {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
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
