/** What shows while Parley loads or connects, and when connecting failed. */
import { retryStart } from '../app/session.ts';
import { BusyButton } from '../common/busy-button.tsx';
import { Spinner } from '../common/spinner.tsx';
import { useAction } from '../common/use-action.ts';
import { errorMessage } from '../errors/error-message.ts';
import { BrandMark } from './onboarding-frame.tsx';
import { to } from './strings.ts';
import './onboarding.css';

export function Splash({ text }: { text: string }) {
  return (
    <main class="ob-splash" aria-busy="true">
      <BrandMark />
      <h1 class="sr-only">Parley</h1>
      <p class="ob-splash-text" role="status">
        <Spinner />
        {text}
      </p>
    </main>
  );
}

export function StartFailed({ error }: { error: unknown }) {
  const retry = useAction(retryStart);
  return (
    <main class="ob-splash">
      <BrandMark />
      <h1 class="ob-title">{to('onboarding.startFailed')}</h1>
      <p class="form-error" role="alert">
        {errorMessage(error)}
      </p>
      <div class="ob-splash-actions">
        <BusyButton
          type="button"
          busy={retry.busy}
          busyText={to('onboarding.starting')}
          onClick={() => void retry.run()}
        >
          {to('onboarding.retry')}
        </BusyButton>
      </div>
    </main>
  );
}
