/** A known device after a reload: its password opens the keys stored here. */
import { useState } from 'preact/hooks';
import { type Phase, unlockDevice } from '../app/session.ts';
import { Field } from '../common/field.tsx';
import { useAction } from '../common/use-action.ts';
import { SignOutDialog } from '../settings/sign-out-dialog.tsx';
import { OnboardingFrame } from './onboarding-frame.tsx';
import { RememberAndSubmit } from './remember-and-submit.tsx';
import { to } from './strings.ts';

type Stored = Extract<Phase, { kind: 'locked' }>['stored'];

export function UnlockScreen({ stored }: { stored: Stored }) {
  const [password, setPassword] = useState('');
  const [remember, setRemember] = useState(false);
  const [confirmSignOut, setConfirmSignOut] = useState(false);
  const submit = useAction(() => unlockDevice(password, remember));
  const canUnlock = stored.unlockWith !== 'none';
  return (
    <OnboardingFrame>
      <h1 class="ob-title">{to('onboarding.unlockTitle')}</h1>
      {canUnlock ? (
        <form
          class="form"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void submit.run();
          }}
        >
          <p class="ob-tagline">{to('onboarding.unlockAs', { username: stored.username })}</p>
          <input
            type="text"
            class="sr-only"
            autocomplete="username"
            value={stored.username}
            readOnly
            tabIndex={-1}
            aria-hidden="true"
          />
          <Field
            label={to('onboarding.password')}
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(event) => setPassword(event.currentTarget.value)}
          />
          <RememberAndSubmit
            remember={remember}
            onRememberChange={setRemember}
            action={submit}
            busyText={to('onboarding.unlocking')}
            disabled={!password}
          >
            {to('onboarding.unlockButton')}
          </RememberAndSubmit>
        </form>
      ) : (
        <p class="ob-tagline">{to('onboarding.unlockNoSecret')}</p>
      )}
      <div class="ob-row ob-center">
        <button type="button" class="link-btn" onClick={() => setConfirmSignOut(true)}>
          {to('onboarding.notYou')}
        </button>
      </div>
      {confirmSignOut && <SignOutDialog onClose={() => setConfirmSignOut(false)} />}
    </OnboardingFrame>
  );
}
