/** Sign-up: username, password twice, and whether this device stays signed in. */
import { useState } from 'preact/hooks';
import { createAccountAndStart } from '../app/session.ts';
import { Field } from '../common/field.tsx';
import { useAction } from '../common/use-action.ts';
import { RememberAndSubmit } from './remember-and-submit.tsx';
import { to } from './strings.ts';

export function CreateAccountForm() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [remember, setRemember] = useState(true);
  const [mismatch, setMismatch] = useState(false);
  const create = useAction(() => createAccountAndStart(username.trim(), password, remember));

  return (
    <form
      class="form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (password !== confirm) {
          setMismatch(true);
          return;
        }
        void create.run();
      }}
    >
      <Field
        label={to('onboarding.username')}
        hint={to('onboarding.usernameHint')}
        autocomplete="username"
        autocapitalize="none"
        spellcheck={false}
        required
        value={username}
        onInput={(event) => setUsername(event.currentTarget.value)}
      />
      <Field
        label={to('onboarding.password')}
        hint={to('onboarding.passwordHint')}
        type="password"
        autocomplete="new-password"
        required
        value={password}
        onInput={(event) => {
          setPassword(event.currentTarget.value);
          setMismatch(false);
        }}
      />
      <Field
        label={to('onboarding.confirmPassword')}
        type="password"
        autocomplete="new-password"
        required
        value={confirm}
        error={mismatch ? to('onboarding.passwordMismatch') : null}
        onInput={(event) => {
          setConfirm(event.currentTarget.value);
          setMismatch(false);
        }}
      />
      <RememberAndSubmit
        remember={remember}
        onRememberChange={setRemember}
        action={create}
        busyText={to('onboarding.creating')}
        disabled={!username.trim() || !password || !confirm}
      >
        {to('onboarding.createButton')}
      </RememberAndSubmit>
    </form>
  );
}
