// The language tracks of a bulletin, one row per language: upload a file (with a progress bar),
// record in the browser, or (Vietnamese) text-to-speech; reorder and remove. Each row shows its
// own problems, next to the control that caused them.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type UploadHandle, uploadTrack } from '../api.ts';
import type { Bulletin, BulletinTrack, Commune, Language, TtsEngine } from '../api-shapes.ts';
import { languageName, sortLanguages } from './languages.ts';
import { problemMessage } from './problem.ts';
import { Recorder, type Recording } from './Recorder.tsx';
import { formatDuration } from './time.ts';
import { useLoad } from './use-load.ts';

/** The commune's own languages first (in the commune's order), then every other language. */
export function languagesForCommune(all: Language[], commune: Commune, uiLanguage: string): Language[] {
  const own = commune.languages
    .map((code) => all.find((l) => l.code === code))
    .filter((l): l is Language => Boolean(l));
  return [
    ...own,
    ...sortLanguages(
      all.filter((l) => !commune.languages.includes(l.code)),
      uiLanguage,
    ),
  ];
}

export function TrackEditor(props: { bulletin: Bulletin; commune: Commune; onChanged(): void }) {
  const { t, i18n } = useTranslation();
  const { bulletin, commune } = props;
  const [languages] = useLoad(() => api.languages(), []);
  const [engines] = useLoad(() => api.ttsEngines(), []);
  const [extra, setExtra] = useState<string[]>([]);
  const [adding, setAdding] = useState('');
  const [orderError, setOrderError] = useState<unknown>(null);
  const [busyOrder, setBusyOrder] = useState(false);
  const all = languages.data ?? [];
  const ordered = languagesForCommune(all, commune, i18n.language);
  const tracks = [...bulletin.tracks].sort((a, b) => a.position - b.position);
  const withTrack = tracks.map((tr) => tr.language);
  const pending = [
    ...commune.languages.filter((code) => !withTrack.includes(code)),
    ...extra.filter((code) => !withTrack.includes(code) && !commune.languages.includes(code)),
  ];
  const rows = [...withTrack, ...pending];
  const addable = ordered.filter((l) => !rows.includes(l.code));

  async function move(index: number, by: -1 | 1) {
    const order = [...withTrack];
    const [item] = order.splice(index, 1);
    order.splice(index + by, 0, item as string);
    setOrderError(null);
    setBusyOrder(true);
    try {
      await api.updateBulletin(bulletin.id, { order });
      props.onChanged();
    } catch (err) {
      setOrderError(err);
    } finally {
      setBusyOrder(false);
    }
  }

  return (
    <section className="card" aria-labelledby="tracks-heading">
      <h2 id="tracks-heading">{t('tracks.title')}</h2>
      <p className="hint">{t('tracks.intro')}</p>
      {orderError ? (
        <p className="field-error" role="alert">
          {problemMessage(t, orderError)}
        </p>
      ) : null}
      <ol className="track-list">
        {rows.map((code) => {
          const index = withTrack.indexOf(code);
          return (
            <TrackRow
              key={code}
              bulletinId={bulletin.id}
              language={code}
              name={languageName(all, code, i18n.language)}
              track={index >= 0 ? tracks[index] : undefined}
              position={index}
              count={withTrack.length}
              busyOrder={busyOrder}
              engines={engines.data ?? []}
              onMove={(by) => move(index, by)}
              onChanged={props.onChanged}
            />
          );
        })}
      </ol>
      {addable.length > 0 && (
        <div className="add-language">
          <label htmlFor="add-language">{t('tracks.addLanguage')}</label>
          <select id="add-language" value={adding} onChange={(e) => setAdding(e.target.value)}>
            <option value="">{t('tracks.chooseLanguage')}</option>
            {addable.map((l) => (
              <option key={l.code} value={l.code}>
                {i18n.language === 'en' ? l.nameEn : l.nameVi} ({l.code})
              </option>
            ))}
          </select>
          <button
            type="button"
            disabled={!adding}
            onClick={() => {
              setExtra((x) => [...x, adding]);
              setAdding('');
            }}
          >
            {t('tracks.add')}
          </button>
        </div>
      )}
    </section>
  );
}

type Mode = 'upload' | 'record' | 'tts';

function TrackRow(props: {
  bulletinId: string;
  language: string;
  name: string;
  track: BulletinTrack | undefined;
  position: number;
  count: number;
  busyOrder: boolean;
  engines: TtsEngine[];
  onMove(by: -1 | 1): void;
  onChanged(): void;
}) {
  const { t } = useTranslation();
  const { track, language } = props;
  const engine = props.engines.find((e) => e.languages.includes(language));
  const [mode, setMode] = useState<Mode>('upload');
  const [sent, setSent] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [recording, setRecording] = useState<(Recording & { url: string }) | null>(null);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const upload = useRef<UploadHandle | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const idBase = `track-${language}`;
  const uploading = sent !== null;

  useEffect(() => () => upload.current?.abort(), []);
  useEffect(() => () => (recording ? URL.revokeObjectURL(recording.url) : undefined), [recording]);

  async function send(file: Blob, fileName: string, source: 'upload' | 'recording') {
    setError(null);
    setDone(null);
    setSent(0);
    const handle = uploadTrack(props.bulletinId, language, file, fileName, source, setSent);
    upload.current = handle;
    try {
      await handle.done;
      setDone(source === 'recording' ? t('tracks.recordingSaved') : t('tracks.uploaded', { name: fileName }));
      setRecording(null);
      props.onChanged();
    } catch (err) {
      setError(err);
    } finally {
      upload.current = null;
      setSent(null);
      if (fileInput.current) fileInput.current.value = '';
    }
  }

  async function run(action: () => Promise<unknown>, message: string) {
    setError(null);
    setDone(null);
    setBusy(true);
    try {
      await action();
      setDone(message);
      props.onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const modes: Mode[] = engine ? ['upload', 'record', 'tts'] : ['upload', 'record'];
  return (
    <li className="track-row" aria-label={t('tracks.rowLabel', { name: props.name })}>
      <div className="track-head">
        <h3>
          {track && <span className="track-number">{props.position + 1}.</span>} {props.name}{' '}
          <span className="muted">({language})</span>
        </h3>
        {track && (
          <span className="row-actions">
            <button
              type="button"
              aria-label={t('tracks.moveUp', { name: props.name })}
              title={t('tracks.moveUp', { name: props.name })}
              disabled={props.position === 0 || props.busyOrder}
              onClick={() => props.onMove(-1)}
            >
              ↑
            </button>
            <button
              type="button"
              aria-label={t('tracks.moveDown', { name: props.name })}
              title={t('tracks.moveDown', { name: props.name })}
              disabled={props.position === props.count - 1 || props.busyOrder}
              onClick={() => props.onMove(1)}
            >
              ↓
            </button>
            <button
              type="button"
              className="danger"
              disabled={busy || uploading}
              onClick={() => {
                if (window.confirm(t('tracks.confirmRemove', { name: props.name })))
                  void run(() => api.removeTrack(props.bulletinId, language), t('tracks.removed'));
              }}
            >
              {t('tracks.remove')}
            </button>
          </span>
        )}
      </div>
      {track ? (
        <p className="track-info" data-testid={`track-${language}`}>
          <span className="badge ok">{t(`tracks.sources.${track.source}`)}</span>{' '}
          <span className="file-name">{track.originalName}</span> · {formatDuration(track.durationSec)} ·{' '}
          {track.codec}
        </p>
      ) : (
        <p className="muted">{t('tracks.missing')}</p>
      )}
      <div className="mode-switch" role="radiogroup" aria-label={t('tracks.how', { name: props.name })}>
        {modes.map((m) => (
          <label key={m}>
            <input
              type="radio"
              name={`${idBase}-mode`}
              value={m}
              checked={mode === m}
              disabled={uploading}
              onChange={() => setMode(m)}
            />{' '}
            {t(`tracks.modes.${m}`)}
          </label>
        ))}
      </div>
      {mode === 'upload' && (
        <div className="field">
          <label htmlFor={`${idBase}-file`}>
            {track
              ? t('tracks.replaceFile', { name: props.name })
              : t('tracks.chooseFile', { name: props.name })}
          </label>
          <input
            ref={fileInput}
            id={`${idBase}-file`}
            type="file"
            accept="audio/*,video/webm,video/mp4,video/3gpp,.mp3,.wav,.m4a,.ogg,.opus,.webm,.amr,.3gp,.aac,.flac"
            disabled={uploading}
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void send(file, file.name, 'upload');
            }}
          />
          <small className="hint">{t('tracks.fileHint')}</small>
        </div>
      )}
      {mode === 'record' && (
        <div className="field">
          <Recorder
            language={language}
            disabled={uploading}
            onRecorded={(r) => setRecording({ ...r, url: URL.createObjectURL(r.blob) })}
          />
          {recording && (
            <div className="recording-preview">
              {/* biome-ignore lint/a11y/useMediaCaption: a fresh voice recording has no captions */}
              <audio controls src={recording.url} />
              <button
                type="button"
                className="primary"
                disabled={uploading}
                onClick={() => send(recording.blob, recording.fileName, 'recording')}
              >
                {t('tracks.useRecording')}
              </button>
            </div>
          )}
        </div>
      )}
      {mode === 'tts' && engine && (
        <div className="field">
          <label htmlFor={`${idBase}-tts`}>{t('tracks.ttsText')}</label>
          <textarea
            id={`${idBase}-tts`}
            className="prose"
            rows={5}
            maxLength={5000}
            value={text}
            disabled={Boolean(engine.unavailableReason) || busy}
            aria-describedby={`${idBase}-tts-hint`}
            onChange={(e) => setText(e.target.value)}
          />
          <small id={`${idBase}-tts-hint`} className="hint">
            {engine.unavailableReason
              ? t('tracks.ttsUnavailable', { engine: engine.label, reason: engine.unavailableReason })
              : t('tracks.ttsHint', { engine: engine.label })}
          </small>
          <div className="actions">
            <button
              type="button"
              disabled={Boolean(engine.unavailableReason) || busy || text.trim() === ''}
              onClick={() =>
                run(() => api.speakTrack(props.bulletinId, language, text, engine.id), t('tracks.ttsDone'))
              }
            >
              {busy ? t('tracks.ttsWorking') : t('tracks.ttsMake')}
            </button>
          </div>
        </div>
      )}
      {uploading && (
        <div className="upload-progress">
          <label htmlFor={`${idBase}-progress`}>
            {sent < 1 ? t('tracks.uploading', { percent: Math.floor(sent * 100) }) : t('tracks.checking')}
          </label>
          <progress id={`${idBase}-progress`} max={1} value={sent} />
          {sent < 1 && (
            <button type="button" className="link" onClick={() => upload.current?.abort()}>
              {t('tracks.cancelUpload')}
            </button>
          )}
        </div>
      )}
      {error ? (
        <p className="field-error" role="alert">
          {problemMessage(t, error)}
        </p>
      ) : null}
      {done && <output className="ok-inline">{done}</output>}
    </li>
  );
}
