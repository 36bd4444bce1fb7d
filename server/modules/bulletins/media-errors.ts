// Media problems found in an upload, as API problems the officer can act on.
import { ChildInterruptedError } from '../../../media/interrupted.ts';
import { MediaError, type MediaErrorCode } from '../../../media/probe.ts';
import { AppError, UnavailableError } from '../../http/errors.ts';

const MAP: Record<MediaErrorCode, [number, string]> = {
  EMPTY_FILE: [400, 'empty-file'],
  NOT_MEDIA: [415, 'not-audio'],
  UNSUPPORTED_FORMAT: [415, 'not-audio'],
  NO_AUDIO_STREAM: [422, 'no-audio-stream'],
  UNKNOWN_DURATION: [422, 'audio-damaged'],
  TOO_LONG: [422, 'audio-too-long'],
  TRUNCATED: [422, 'audio-damaged'],
  DURATION_MISMATCH: [422, 'audio-damaged'],
  UNDECODABLE: [422, 'audio-damaged'],
  SILENT: [422, 'audio-silent'],
  RENDITION_INVALID: [500, 'internal'],
};

/** A child stopped from outside (Ctrl-C, a stop): nothing was kept, the request may be made again. */
export function toInterruptedProblem(err: unknown): unknown {
  return err instanceof ChildInterruptedError ? new UnavailableError('interrupted', err.message) : err;
}

export function toUploadProblem(err: unknown): unknown {
  if (!(err instanceof MediaError)) return toInterruptedProblem(err);
  const [status, code] = MAP[err.code];
  const { stderr: _stderr, warnings: _warnings, ...details } = err.details;
  return new AppError(status, code, err.message, details);
}
