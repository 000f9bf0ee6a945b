// What the inference worker is busy with, once a job has taken more than a second, and a Stop
// button that really stops it: the worker is restarted and the models reloaded, while the results
// on screen stay (appStore.stop).

import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../stores';

/** Jobs shorter than this show nothing: a Stop button that flickers by would only distract. */
const SHOW_AFTER_MS = 1000;

export function ActivityBar() {
  const { t } = useTranslation();
  const { activity, stopping, stop } = useAppStore(useShallow((s) => ({ activity: s.activities[0] ?? null, stopping: s.stopping, stop: s.stop })));
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!activity) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [activity]);

  if (stopping !== null) {
    return (
      <div className="activity-bar" role="status" data-testid="activity">
        {stopping ? t('activity.stopping', { names: stopping }) : t('activity.stopped')}
      </div>
    );
  }
  const elapsed = activity ? now - activity.since : 0;
  if (!activity || elapsed < SHOW_AFTER_MS) return null;
  return (
    <div className="activity-bar" role="status" data-testid="activity">
      <span>{t('activity.elapsed', { what: activity.what, seconds: Math.floor(elapsed / 1000) })}</span>
      <button type="button" onClick={() => void stop()}>
        {t('activity.stop')}
      </button>
    </div>
  );
}
