// Records one language track in the browser (MediaRecorder, WebM/Opus where the browser has
// it), with a running timer and a stop button; hands the finished recording to its owner.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDuration } from './time.ts';

const PREFERRED_TYPES = ['audio/webm;codecs=opus', 'audio/webm', 'audio/ogg;codecs=opus', 'audio/mp4'];

export interface Recording {
  blob: Blob;
  fileName: string;
  seconds: number;
}

type MicProblem = 'unsupported' | 'insecure' | 'denied' | 'no-microphone' | 'busy' | 'failed';

function micProblem(err: unknown): MicProblem {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'no-microphone';
  if (name === 'NotReadableError' || name === 'AbortError') return 'busy';
  return 'failed';
}

function extensionOf(mimeType: string): string {
  if (mimeType.includes('ogg')) return 'ogg';
  if (mimeType.includes('mp4')) return 'm4a';
  return 'webm';
}

export function Recorder(props: { language: string; disabled?: boolean; onRecorded(r: Recording): void }) {
  const { t } = useTranslation();
  const [state, setState] = useState<'idle' | 'asking' | 'recording'>('idle');
  const [problem, setProblem] = useState<MicProblem | null>(null);
  const [elapsed, setElapsed] = useState(0);
  const recorder = useRef<MediaRecorder | null>(null);
  const stream = useRef<MediaStream | null>(null);
  const timer = useRef<number | undefined>(undefined);

  const release = () => {
    window.clearInterval(timer.current);
    for (const track of stream.current?.getTracks() ?? []) track.stop();
    stream.current = null;
  };
  // Leaving the page stops the microphone.
  // biome-ignore lint/correctness/useExhaustiveDependencies: on unmount only
  useEffect(
    () => () => {
      if (recorder.current?.state === 'recording') recorder.current.stop();
      release();
    },
    [],
  );

  async function start() {
    setProblem(null);
    if (!window.isSecureContext) return setProblem('insecure');
    if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === 'undefined')
      return setProblem('unsupported');
    setState('asking');
    try {
      stream.current = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: true, noiseSuppression: true, channelCount: 1 },
      });
    } catch (err) {
      setState('idle');
      return setProblem(micProblem(err));
    }
    const mimeType = PREFERRED_TYPES.find((type) => MediaRecorder.isTypeSupported(type));
    const media = new MediaRecorder(stream.current, mimeType ? { mimeType } : undefined);
    const chunks: Blob[] = [];
    const started = performance.now();
    media.ondataavailable = (e) => {
      if (e.data.size > 0) chunks.push(e.data);
    };
    media.onstop = () => {
      release();
      setState('idle');
      const type = media.mimeType || mimeType || 'audio/webm';
      const blob = new Blob(chunks, { type });
      if (blob.size === 0) return setProblem('failed');
      props.onRecorded({
        blob,
        fileName: `ghi-am-${props.language}.${extensionOf(type)}`,
        seconds: (performance.now() - started) / 1000,
      });
    };
    recorder.current = media;
    media.start(1000);
    setElapsed(0);
    timer.current = window.setInterval(() => setElapsed((performance.now() - started) / 1000), 250);
    setState('recording');
  }

  return (
    <div className="recorder">
      {state !== 'recording' ? (
        <button type="button" onClick={start} disabled={props.disabled || state === 'asking'}>
          <span aria-hidden="true" className="rec-dot" /> {t('tracks.startRecording')}
        </button>
      ) : (
        <>
          <span className="rec-live" role="timer" aria-label={t('tracks.recordingFor')}>
            <span aria-hidden="true" className="rec-dot live" /> {formatDuration(elapsed)}
          </span>
          <button type="button" className="primary" onClick={() => recorder.current?.stop()}>
            {t('tracks.stopRecording')}
          </button>
        </>
      )}
      {state === 'asking' && <span className="muted">{t('tracks.askingMicrophone')}</span>}
      {problem && (
        <small className="field-error" role="alert">
          {t(`tracks.mic.${problem}`)}
        </small>
      )}
    </div>
  );
}
