/**
 * Above the composer: someone in this conversation now presents a different
 * identity key than the one we pinned (CRYPTO.md "Pinning and
 * verification"). The engine already refuses to send to them; this says
 * why and lets the person review the new safety number or accept the key.
 * `sendingBlocked` is the same question for the Send button.
 */
import { useState } from 'preact/hooks';
import type { ParleyClient } from '../../core/client.ts';
import { SafetyNumberDialog } from './safety-number-dialog.tsx';
import { tt } from './strings.ts';
import { type KeyChange, keyChangesIn } from './trust-signals.ts';
import '../common/common.css';
import './trust.css';

/** True while anyone in the conversation waits in the key-changed state (reads signals). */
export function sendingBlocked(client: ParleyClient, convId: string): boolean {
  return keyChangesIn(client, convId).length > 0;
}

export function KeyChangeBanner({ client, convId }: { client: ParleyClient; convId: string }) {
  const changes = keyChangesIn(client, convId);
  const [reviewing, setReviewing] = useState<KeyChange | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  if (changes.length === 0 && !reviewing) return null;
  const accept = (change: KeyChange) => {
    setFailed(null);
    client.trust.acceptChange(change.userId).catch(() => setFailed(change.userId));
  };
  return (
    <>
      {changes.map((change) => (
        <div key={change.userId} class="trust-banner" role="alert">
          <WarningMark />
          <div class="trust-banner-text">
            <p class="trust-banner-title">
              {tt('trust.changedBanner', { username: change.username })}
            </p>
            <p class="trust-banner-explain">{tt('trust.changedExplain')}</p>
            {failed === change.userId ? <p class="trust-error">{tt('trust.failed')}</p> : null}
          </div>
          <div class="trust-banner-actions">
            <button type="button" class="btn btn-small" onClick={() => setReviewing(change)}>
              {tt('trust.review')}
            </button>
            <button type="button" class="btn btn-small btn-primary" onClick={() => accept(change)}>
              {tt('trust.acceptNewKey')}
            </button>
          </div>
        </div>
      ))}
      {reviewing ? (
        <SafetyNumberDialog
          client={client}
          userId={reviewing.userId}
          username={reviewing.username}
          onClose={() => setReviewing(null)}
        />
      ) : null}
    </>
  );
}

function WarningMark() {
  return (
    <svg
      class="trust-warning-icon"
      viewBox="0 0 20 20"
      width="20"
      height="20"
      aria-hidden="true"
      focusable="false"
    >
      <path
        d="M10 2l8.5 15h-17z"
        fill="none"
        stroke="currentColor"
        stroke-width="1.6"
        stroke-linejoin="round"
      />
      <path
        d="M10 8v4.5M10 14.5v1"
        stroke="currentColor"
        stroke-width="1.8"
        stroke-linecap="round"
      />
    </svg>
  );
}
