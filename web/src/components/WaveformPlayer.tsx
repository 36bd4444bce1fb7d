// A player with its waveform: the rendition's peaks drawn on a canvas, a plain <audio> element,
// and a cursor that follows playback; a click or tap on the waveform seeks. For the programme,
// the segments (chime, each language) are shaded under the waveform.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type ProgrammeSegment, type Rendition, segmentsOf } from '../api-shapes.ts';
import { formatDuration } from './time.ts';

const HEIGHT = 72;
const SEGMENT_COLOURS = ['#d6e4f5', '#f5e6c8', '#dcefd9', '#f1d9e6', '#e4dcf3'];

export function segmentColour(segment: ProgrammeSegment, languages: string[]): string {
  if (segment.kind !== 'language') return '#ececec';
  const index = Math.max(0, languages.indexOf(segment.language ?? ''));
  return SEGMENT_COLOURS[index % SEGMENT_COLOURS.length] as string;
}

export function WaveformPlayer(props: {
  rendition: Rendition;
  label: string;
  testId?: string;
  /** Language order, so the same language has the same colour everywhere. */
  languages?: string[];
}) {
  const { t } = useTranslation();
  const { rendition } = props;
  const canvas = useRef<HTMLCanvasElement>(null);
  const audio = useRef<HTMLAudioElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(600);
  const [time, setTime] = useState(0);
  const duration = rendition.durationSec;

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.max(120, Math.floor(entry.contentRect.width)));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const draw = useCallback(
    (at: number) => {
      const element = canvas.current;
      const context = element?.getContext('2d');
      if (!element || !context) return;
      const ratio = window.devicePixelRatio || 1;
      element.width = Math.round(width * ratio);
      element.height = Math.round(HEIGHT * ratio);
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.clearRect(0, 0, width, HEIGHT);
      const x = (sec: number) => (duration > 0 ? (sec / duration) * width : 0);
      for (const segment of segmentsOf(rendition)) {
        context.fillStyle = segmentColour(segment, props.languages ?? []);
        context.fillRect(x(segment.startSec), 0, Math.max(1, x(segment.durationSec)), HEIGHT);
      }
      const peaks = rendition.peaks;
      const pairs = Math.floor(peaks.length / 2);
      const middle = HEIGHT / 2;
      const cursor = x(at);
      for (let px = 0; px < width; px++) {
        // Each pixel column shows the extremes of the peaks that fall in it.
        const from = Math.floor((px / width) * pairs);
        const to = Math.max(from + 1, Math.floor(((px + 1) / width) * pairs));
        let min = 0;
        let max = 0;
        for (let i = from; i < to && i < pairs; i++) {
          min = Math.min(min, peaks[2 * i] ?? 0);
          max = Math.max(max, peaks[2 * i + 1] ?? 0);
        }
        context.fillStyle = px < cursor ? '#1d4e89' : '#7f97b5';
        const top = middle - max * middle * 0.95;
        context.fillRect(px, top, 1, Math.max(1, (max - min) * middle * 0.95));
      }
      context.fillStyle = '#b3261e';
      context.fillRect(Math.min(width - 2, cursor), 0, 2, HEIGHT);
    },
    [width, duration, rendition, props.languages],
  );

  useEffect(() => draw(time), [draw, time]);

  // While playing, follow the audio every frame; timeupdate alone is 4 Hz and looks jumpy.
  useEffect(() => {
    const element = audio.current;
    if (!element) return;
    let frame = 0;
    const tick = () => {
      setTime(element.currentTime);
      if (!element.paused) frame = requestAnimationFrame(tick);
    };
    const onPlay = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(tick);
    };
    const onTime = () => setTime(element.currentTime);
    element.addEventListener('play', onPlay);
    element.addEventListener('seeked', onTime);
    element.addEventListener('timeupdate', onTime);
    return () => {
      cancelAnimationFrame(frame);
      element.removeEventListener('play', onPlay);
      element.removeEventListener('seeked', onTime);
      element.removeEventListener('timeupdate', onTime);
    };
  }, []);

  const seekTo = (clientX: number) => {
    const element = canvas.current;
    const player = audio.current;
    if (!element || !player || duration <= 0) return;
    const rect = element.getBoundingClientRect();
    player.currentTime = Math.min(duration, Math.max(0, ((clientX - rect.left) / rect.width) * duration));
  };

  return (
    <figure className="player" data-testid={props.testId}>
      <figcaption>{props.label}</figcaption>
      <div ref={box} className="waveform-box">
        <canvas
          ref={canvas}
          style={{ width: `${width}px`, height: `${HEIGHT}px` }}
          role="img"
          aria-label={t('player.waveform', { label: props.label })}
          onClick={(e) => seekTo(e.clientX)}
        />
      </div>
      <div className="player-controls">
        {/* biome-ignore lint/a11y/useMediaCaption: spoken bulletins; the text is kept with the track */}
        <audio ref={audio} controls preload="metadata" src={rendition.url} aria-label={props.label} />
        <span className="muted time">
          {formatDuration(time)} / {formatDuration(duration)}
        </span>
      </div>
    </figure>
  );
}
