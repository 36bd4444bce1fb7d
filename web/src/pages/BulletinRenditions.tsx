import { useTranslation } from 'react-i18next';
import { type Bulletin, type Language, type Rendition, segmentsOf } from '../api-shapes.ts';
import { formatBytes, formatHz, formatLevel } from '../components/bulletin-format.tsx';
import { languageName } from '../components/languages.ts';
import { formatDuration } from '../components/time.ts';
import { segmentColour, WaveformPlayer } from '../components/WaveformPlayer.tsx';

/** What a browser plays best, in order of preference. */
const PLAYABLE_PROFILES = ['mp3-24k', 'opus-24k', 'wav-l16'];

function playable(renditions: Rendition[]): Rendition | undefined {
  for (const profile of PLAYABLE_PROFILES) {
    const found = renditions.find((r) => r.profileId === profile);
    if (found) return found;
  }
  return renditions.find((r) => r.mimeType.startsWith('audio/mpeg') || r.mimeType.startsWith('audio/wav'));
}

export function Players(props: { bulletin: Bulletin; languages: Language[] }) {
  const { t, i18n } = useTranslation();
  const { bulletin } = props;
  const order = [...bulletin.tracks].sort((a, b) => a.position - b.position).map((tr) => tr.language);
  const programme = playable(bulletin.renditions.filter((r) => r.language === null));
  const name = (code: string) => languageName(props.languages, code, i18n.language);
  return (
    <section className="card" aria-labelledby="players-heading">
      <h2 id="players-heading">{t('player.title')}</h2>
      {programme && (
        <div className="player-block">
          <WaveformPlayer
            rendition={programme}
            label={t('player.programme')}
            testId="player-programme"
            languages={order}
          />
          <Loudness rendition={programme} />
        </div>
      )}
      {order.map((code) => {
        const rendition = playable(bulletin.renditions.filter((r) => r.language === code));
        if (!rendition) return null;
        return (
          <div className="player-block" key={code}>
            <WaveformPlayer rendition={rendition} label={name(code)} testId={`player-${code}`} />
            <Loudness rendition={rendition} />
          </div>
        );
      })}
    </section>
  );
}

function Loudness({ rendition }: { rendition: Rendition }) {
  const { t, i18n } = useTranslation();
  return (
    <p className="loudness">
      {t('player.loudness')}: <strong>{formatLevel(rendition.integratedLufs, 'LUFS', i18n.language)}</strong>{' '}
      · {t('player.truePeak')}: <strong>{formatLevel(rendition.truePeakDbtp, 'dBTP', i18n.language)}</strong>{' '}
      · {t('player.duration')}: <strong>{formatDuration(rendition.durationSec)}</strong>
    </p>
  );
}

export function Timeline(props: { bulletin: Bulletin; languages: Language[] }) {
  const { t, i18n } = useTranslation();
  const programme = props.bulletin.renditions.find((r) => r.language === null && r.segments);
  const segments = programme ? segmentsOf(programme) : [];
  if (!programme || segments.length === 0) return null;
  const order = [...props.bulletin.tracks].sort((a, b) => a.position - b.position).map((tr) => tr.language);
  const total = programme.durationSec || 1;
  const repeats = props.bulletin.settings.repeat > 1;
  const what = (s: (typeof segments)[number]) =>
    s.kind === 'language'
      ? languageName(props.languages, s.language ?? '', i18n.language)
      : t(`timeline.${s.kind}`);
  return (
    <section className="card" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">{t('timeline.title')}</h2>
      <div className="timeline-bar" aria-hidden="true">
        {segments.map((s) => (
          <span
            key={`${s.kind}-${s.language ?? ''}-${s.repetition}-${s.startSec}`}
            style={{
              left: `${(s.startSec / total) * 100}%`,
              width: `${(s.durationSec / total) * 100}%`,
              background: segmentColour(s, order),
            }}
            title={what(s)}
          />
        ))}
      </div>
      <table className="compact" aria-label={t('timeline.title')}>
        <thead>
          <tr>
            <th>{t('timeline.from')}</th>
            <th>{t('timeline.to')}</th>
            <th>{t('timeline.what')}</th>
            {repeats && <th>{t('timeline.repetition')}</th>}
          </tr>
        </thead>
        <tbody>
          {segments.map((s) => (
            <tr key={`${s.kind}-${s.language ?? ''}-${s.repetition}-${s.startSec}`}>
              <td>{formatDuration(s.startSec)}</td>
              <td>{formatDuration(s.startSec + s.durationSec)}</td>
              <td>
                <span className="swatch" style={{ background: segmentColour(s, order) }} /> {what(s)}
              </td>
              {repeats && <td>{s.repetition + 1}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function RenditionTable(props: { bulletin: Bulletin; languages: Language[] }) {
  const { t, i18n } = useTranslation();
  const { bulletin } = props;
  // The programme first, then the languages in play order.
  const rank = (r: Rendition) =>
    r.language === null ? -1 : (bulletin.tracks.find((tr) => tr.language === r.language)?.position ?? 99);
  const sorted = [...bulletin.renditions].sort(
    (a, b) => rank(a) - rank(b) || a.profileId.localeCompare(b.profileId),
  );
  const extension = (r: Rendition) =>
    r.mimeType.includes('mpeg')
      ? 'mp3'
      : r.mimeType.includes('ogg')
        ? 'ogg'
        : r.mimeType.includes('wav')
          ? 'wav'
          : r.mimeType.includes('mulaw')
            ? 'ul16'
            : 'au';
  return (
    <section className="card" aria-labelledby="renditions-heading">
      <h2 id="renditions-heading">{t('renditions.title')}</h2>
      <div className="table-scroll">
        <table className="compact" aria-label={t('renditions.title')}>
          <thead>
            <tr>
              <th>{t('renditions.content')}</th>
              <th>{t('renditions.profile')}</th>
              <th>{t('renditions.codec')}</th>
              <th>{t('renditions.sampleRate')}</th>
              <th>{t('renditions.size')}</th>
              <th>{t('renditions.duration')}</th>
              <th>{t('renditions.loudness')}</th>
              <th>{t('renditions.truePeak')}</th>
              <th>
                <span className="sr-only">{t('renditions.download')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((r) => (
              <tr key={r.id}>
                <td>
                  {r.language === null
                    ? t('player.programme')
                    : languageName(props.languages, r.language, i18n.language)}
                </td>
                <td className="nowrap">
                  {t(`renditions.profiles.${r.profileId}`, { defaultValue: r.profileId })}
                </td>
                <td>{r.codec}</td>
                <td className="nowrap">{formatHz(r.sampleRate, i18n.language)}</td>
                <td className="nowrap">{formatBytes(r.bytes, i18n.language)}</td>
                <td>{formatDuration(r.durationSec)}</td>
                <td className="nowrap">{formatLevel(r.integratedLufs, 'LUFS', i18n.language)}</td>
                <td className="nowrap">
                  {formatLevel(r.truePeakDbtp, 'dBTP', i18n.language)}
                  {r.peakTrimDb < 0 && (
                    <small className="muted trim-note">
                      {t('renditions.trimmed', { db: formatLevel(-r.peakTrimDb, 'dB', i18n.language) })}
                    </small>
                  )}
                </td>
                <td>
                  <a
                    href={r.url}
                    download={`${bulletin.title}-${r.language ?? 'chuong-trinh'}-${r.profileId}.${extension(r)}`}
                  >
                    {t('renditions.download')}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
