export * from './commands.ts';
export * from './ffmpeg-runner.ts';
export * from './fixtures.ts';
export * from './loudness.ts';
export * from './pipeline.ts';
export * from './probe.ts';
export * from './profiles.ts';
export * from './waveform.ts';
