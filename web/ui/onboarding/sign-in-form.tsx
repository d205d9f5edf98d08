/** Sign-in on a new device: username and password, or the recovery key instead. */
import { useState } from 'preact/hooks';
import { signIn, signInWithRecovery } from '../app/session.ts';
import { Field } from '../common/field.tsx';
import { useAction } from '../common/use-action.ts';
import { RememberAndSubmit } from './remember-and-submit.tsx';
import { to } from './strings.ts';

export function SignInForm() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [recoveryKey, setRecoveryKey] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [remember, setRemember] = useState(false);
  const [useRecovery, setUseRecovery] = useState(false);
  const submit = useAction(() =>
    useRecovery
      ? signInWithRecovery(username.trim(), recoveryKey, newPassword, remember)
      : signIn(username.trim(), password, remember),
  );
  const ready = username.trim() && (useRecovery ? recoveryKey.trim() : password);

  return (
    <form
      class="form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit.run();
      }}
    >
      <Field
        label={to('onboarding.username')}
        autocomplete="username"
        autocapitalize="none"
        spellcheck={false}
        required
        value={username}
        onInput={(event) => setUsername(event.currentTarget.value)}
      />
      {useRecovery ? (
        <>
          <Field
            label={to('onboarding.recoveryKey')}
            hint={to('onboarding.recoveryKeyHint')}
            autocomplete="off"
            autocapitalize="none"
            spellcheck={false}
            required
            value={recoveryKey}
            onInput={(event) => setRecoveryKey(event.currentTarget.value)}
          />
          <Field
            label={to('onboarding.newPassword')}
            hint={to('onboarding.newPasswordHint')}
            type="password"
            autocomplete="new-password"
            value={newPassword}
            onInput={(event) => setNewPassword(event.currentTarget.value)}
          />
        </>
      ) : (
        <Field
          label={to('onboarding.password')}
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(event) => setPassword(event.currentTarget.value)}
        />
      )}
      <div class="ob-row">
        <button
          type="button"
          class="link-btn"
          onClick={() => {
            setUseRecovery(!useRecovery);
            submit.clearError();
          }}
        >
          {to(useRecovery ? 'onboarding.usePassword' : 'onboarding.useRecovery')}
        </button>
      </div>
      <RememberAndSubmit
        remember={remember}
        onRememberChange={setRemember}
        action={submit}
        busyText={to('onboarding.signingIn')}
        disabled={!ready}
      >
        {to('onboarding.signInButton')}
      </RememberAndSubmit>
    </form>
  );
}
