// The scheduler's home: the live board (what each cluster airs now and next, its health, the
// day's missed airings), the test tone per cluster, the emergency form for those who may use it,
// and the broadcasts of a day with a player for what the recorder captured.
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import type { BoardCluster, NowRequest } from '../api-shapes.ts';
import { DayBroadcasts } from '../components/board/DayBroadcasts.tsx';
import { EmergencyForm } from '../components/board/EmergencyForm.tsx';
import { LiveBoard, type TestToneState, useLiveBoard } from '../components/board/LiveBoard.tsx';
import { useLoad } from '../components/use-load.ts';
import { hasRoleAnywhere, hasRoleIn, useSession } from '../session.tsx';
import '../components/board/board.css';

/** Who may air an emergency or a test tone on a commune's clusters (the API's rule). */
const AIRERS = ['ADMIN', 'SCHEDULER'] as const;

export function Overview() {
  const { t } = useTranslation();
  const { user } = useSession();
  const { board, connection } = useLiveBoard();
  const [communes] = useLoad(() => api.communes(), []);
  const [testTone, setTestTone] = useState<TestToneState | null>(null);
  const [emergencyOpen, setEmergencyOpen] = useState(false);
  const [aired, setAired] = useState<NowRequest | null>(null);
  const mayAirAnywhere = hasRoleAnywhere(user, AIRERS);

  const provinceOf = useMemo(
    () => new Map((communes.data ?? []).map((c) => [c.id, c.province])),
    [communes.data],
  );
  const canAir = (c: BoardCluster) => {
    const province = provinceOf.get(c.communeId);
    return province !== undefined && hasRoleIn(user, AIRERS, { id: c.communeId, province });
  };

  async function sendTestTone(c: BoardCluster) {
    setTestTone({ clusterId: c.id, state: 'sending' });
    try {
      await api.airTestTone(c.id);
      setTestTone({ clusterId: c.id, state: 'sent' });
    } catch (error) {
      setTestTone({ clusterId: c.id, state: 'failed', error });
    }
  }

  return (
    <section className="overview">
      <div className="page-head">
        <h1>{t('overview.title')}</h1>
        {mayAirAnywhere && !emergencyOpen && (
          <button
            type="button"
            className="danger"
            onClick={() => {
              setAired(null);
              setEmergencyOpen(true);
            }}
          >
            {t('emergency.open')}
          </button>
        )}
      </div>
      <p className="muted">{t('overview.greeting', { name: user.displayName })}</p>
      {aired && (
        <output className="ok-note">{t('emergency.done', { count: aired.broadcasts.length })}</output>
      )}
      {emergencyOpen && (
        <EmergencyForm
          clusters={(board?.clusters ?? []).filter(canAir)}
          onDone={(request) => {
            setAired(request);
            setEmergencyOpen(false);
          }}
          onCancel={() => setEmergencyOpen(false)}
        />
      )}
      <LiveBoard
        board={board}
        connection={connection}
        canAir={canAir}
        onTestTone={sendTestTone}
        testTone={testTone}
      />
      <DayBroadcasts refreshKey={board} />
    </section>
  );
}
