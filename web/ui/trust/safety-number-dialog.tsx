/**
 * Comparing safety numbers with someone (CRYPTO.md "Pinning and
 * verification"): the 60 digits in twelve groups of five and a QR code of
 * the scannable payload, computed from our identity key and the key we have
 * pinned for them — or, while their key changed, the key they now present,
 * so the person can check the new key before trusting it. Marking as
 * verified records exactly the key that was shown; the trust store refuses
 * if the pin moved in the meantime.
 */
import { useEffect, useState } from 'preact/hooks';
import { fromB64 } from '../../../shared/crypto/encoding.ts';
import { safetyNumber } from '../../../shared/crypto/safety-number.ts';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import type { ParleyClient } from '../../core/client.ts';
import { Dialog } from '../common/dialog.tsx';
import { ownIdentity } from './own-identity.ts';
import { qrObjectUrl } from './qr-image.ts';
import { SafetyNumberView } from './safety-number-view.tsx';
import { tt } from './strings.ts';
import './trust.css';
import { pinOf } from './trust-signals.ts';

export interface SafetyNumberDialogProps {
  client: ParleyClient;
  userId: string;
  username: string;
  onClose: () => void;
}

type Computed =
  | { status: 'computing' }
  | { status: 'ready'; ik: string; digits: string; qrUrl: string }
  | { status: 'unavailable'; reason: 'trust.noKey' | 'trust.noOwnKey' | 'trust.failed' };

export function SafetyNumberDialog({ client, userId, username, onClose }: SafetyNumberDialogProps) {
  const pin = pinOf(client, userId);
  const changed = pin?.state === 'changed';
  const shownIk = changed ? pin?.presentedIk : pin?.ik;
  const [computed, setComputed] = useState<Computed>({ status: 'computing' });
  const [actionError, setActionError] = useState<string | null>(null);

  useEffect(() => {
    if (!shownIk) {
      setComputed({ status: 'unavailable', reason: 'trust.noKey' });
      return;
    }
    let live = true;
    let url: string | null = null;
    setComputed({ status: 'computing' });
    void (async () => {
      const own = await ownIdentity(client);
      if (!live) return;
      if (!own) {
        setComputed({ status: 'unavailable', reason: 'trust.noOwnKey' });
        return;
      }
      try {
        await loadSodium();
        const number = safetyNumber(own.ikPk, own.userId, fromB64(shownIk), userId);
        if (!live) return;
        url = qrObjectUrl(number.scannable);
        setComputed({ status: 'ready', ik: shownIk, digits: number.digits, qrUrl: url });
      } catch {
        if (live) setComputed({ status: 'unavailable', reason: 'trust.failed' });
      }
    })();
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [client, userId, shownIk]);

  const verified =
    pin?.state === 'verified' && computed.status === 'ready' && pin.ik === computed.ik;
  const run = (work: () => Promise<void>) => {
    setActionError(null);
    work().catch(() => setActionError(tt('trust.failed')));
  };
  const markVerified = (ik: string) =>
    run(async () => {
      // Checking the new key's number is how a person decides to trust it.
      if (client.trust.get(userId)?.state === 'changed') await client.trust.acceptChange(userId);
      await client.trust.markVerified(userId, ik);
    });

  return (
    <Dialog title={tt('trust.dialogTitle', { username })} onClose={onClose}>
      <p class={`trust-state${verified ? ' trust-state--verified' : ''}`}>
        {verified ? <VerifiedMark /> : null}
        {verified ? tt('trust.verified') : tt('trust.notVerified')}
      </p>
      {computed.status === 'computing' ? (
        <p class="trust-muted" role="status">
          {tt('trust.computing')}
        </p>
      ) : null}
      {computed.status === 'unavailable' ? (
        <p class="trust-muted" role="status">
          {tt(computed.reason, { username })}
        </p>
      ) : null}
      {computed.status === 'ready' ? (
        <SafetyNumberView digits={computed.digits} qrUrl={computed.qrUrl} />
      ) : null}
      <p class="trust-explain">
        {changed ? tt('trust.explainChanged', { username }) : tt('trust.explain', { username })}
      </p>
      {actionError ? (
        <p class="trust-error" role="alert">
          {actionError}
        </p>
      ) : null}
      <div class="trust-actions">
        {computed.status === 'ready' ? (
          // One button whose label flips, so focus stays on it after the click.
          <button
            type="button"
            class={`btn btn-small${verified ? '' : ' btn-primary'}`}
            onClick={() =>
              verified ? run(() => client.trust.unverify(userId)) : markVerified(computed.ik)
            }
          >
            {verified ? tt('trust.unmarkVerified') : tt('trust.markVerified')}
          </button>
        ) : null}
      </div>
    </Dialog>
  );
}

/** A check mark beside "Verified" (decorative; the word says it). */
export function VerifiedMark() {
  return (
    <svg
      class="trust-check"
      viewBox="0 0 16 16"
      width="14"
      height="14"
      aria-hidden="true"
      focusable="false"
    >
      <path d="M3 8.5l3.2 3L13 4.5" fill="none" stroke="currentColor" stroke-width="2" />
    </svg>
  );
}
