// Turns API problems and field messages into words for the user, in the UI language.
import type { TFunction } from 'i18next';
import { ApiError } from '../api.ts';
import { fieldMessageKey } from '../field-messages.ts';

/** One sentence for a failed call: known codes are translated, others show the server's title. */
export function problemMessage(t: TFunction, error: unknown): string {
  if (!(error instanceof ApiError)) return t('errors.unexpected');
  if (error.code === 'too-many-login-attempts') {
    const minutes = Math.max(1, Math.ceil((error.retryAfterSeconds ?? 60) / 60));
    return t('errors.too-many-login-attempts', { minutes });
  }
  const known = t(`errors.${error.code}`, { defaultValue: '' });
  if (known) return known;
  return error.detail ? `${error.title}: ${error.detail}` : error.title;
}

/** The common field issues in the UI's own words (from their English wording); others as the server said them. */
export function fieldMessage(t: TFunction, message: string): string {
  const known = fieldMessageKey(message);
  return known ? t(known.key, { n: known.n, message }) : message;
}
