/**
 * The recovery key, shown once right after sign-up. Continue stays disabled
 * until the person says they saved it: losing both password and key loses
 * the account, and nobody (not the relay owner either) can restore it.
 */
import { useId, useState } from 'preact/hooks';
import { continueAfterRecoveryKey } from '../app/session.ts';
import { BusyButton } from '../common/busy-button.tsx';
import { copyText } from '../common/copy-text.ts';
import { Checkbox } from '../common/field.tsx';
import { Icon } from '../common/icon.tsx';
import { useAction } from '../common/use-action.ts';
import { OnboardingFrame } from './onboarding-frame.tsx';
import { to } from './strings.ts';

export function RecoveryKeyScreen({ recoveryKey }: { recoveryKey: string }) {
  const headingId = useId();
  const [saved, setSaved] = useState(false);
  const [copied, setCopied] = useState(false);
  const proceed = useAction(continueAfterRecoveryKey);
  return (
    <OnboardingFrame>
      <section class="ob-recovery" aria-labelledby={headingId}>
        <h1 class="ob-title" id={headingId}>
          {to('onboarding.recoveryTitle')}
        </h1>
        <p class="ob-tagline">{to('onboarding.recoveryIntro')}</p>
        <figure class="ob-key" aria-label={to('onboarding.recoveryKey')}>
          {recoveryKey}
        </figure>
        <button
          type="button"
          class="btn"
          onClick={async () => {
            setCopied(await copyText(recoveryKey));
          }}
        >
          <Icon name={copied ? 'check' : 'copy'} size={18} />
          {to('onboarding.copyRecoveryKey')}
        </button>
        <p class="ob-copied" role="status">
          {copied ? to('onboarding.copied') : ''}
        </p>
        <Checkbox label={to('onboarding.saved')} checked={saved} onChange={setSaved} />
        <BusyButton
          type="button"
          busy={proceed.busy}
          busyText={to('onboarding.starting')}
          disabled={!saved}
          onClick={() => void proceed.run()}
        >
          {to('onboarding.continue')}
        </BusyButton>
      </section>
    </OnboardingFrame>
  );
}
