// A child process (espeak-ng, ffprobe, ffmpeg) stopped by a signal that Loa did not send: the
// terminal's Ctrl-C reaches the whole process group, or a supervisor stops the machine. Not the
// input's fault and not a bug: the same request may simply be made again.

export class ChildInterruptedError extends Error {
  override readonly name = 'ChildInterruptedError';
  constructor(
    readonly command: string,
    readonly signal: string,
  ) {
    super(`${command} was interrupted (${signal}) before it finished; try again`);
  }
}
