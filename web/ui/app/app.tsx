/**
 * The top of the app: which screen the session is on. Everything after
 * sign-in (the shell, conversations, panels) is a lazily loaded chunk, as
 * is the engine; this file and onboarding are all the first paint needs.
 */
import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Splash, StartFailed } from '../onboarding/boot-screens.tsx';
import { Onboarding } from '../onboarding/onboarding.tsx';
import { RecoveryKeyScreen } from '../onboarding/recovery-key-screen.tsx';
import { to } from '../onboarding/strings.ts';
import { UnlockScreen } from '../onboarding/unlock-screen.tsx';
import type { Engine } from './engine.ts';
import { phase } from './session.ts';

type ShellComponent = FunctionComponent<{ engine: Engine }>;

let shellModule: Promise<ShellComponent> | null = null;

/** The signed-in UI's chunk; fetched early (after first paint) so sign-in does not wait on it. */
export function loadShell(): Promise<ShellComponent> {
  shellModule ??= import('./shell.tsx').then((m) => m.default);
  return shellModule;
}

function LazyShell({ engine }: { engine: Engine }) {
  const [Shell, setShell] = useState<ShellComponent | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    loadShell()
      .then((component) => setShell(() => component))
      .catch(setError);
  }, []);
  if (error) return <StartFailed error={error} />;
  return Shell ? <Shell engine={engine} /> : <Splash text={to('onboarding.starting')} />;
}

export function App() {
  const current = phase.value;
  switch (current.kind) {
    case 'booting':
      return <Splash text={to('onboarding.loading')} />;
    case 'onboarding':
      return <Onboarding />;
    case 'locked':
      return <UnlockScreen stored={current.stored} />;
    case 'recovery-key':
      return <RecoveryKeyScreen recoveryKey={current.recoveryKey} />;
    case 'starting':
      return <Splash text={to('onboarding.starting')} />;
    case 'start-failed':
    case 'boot-failed':
      return <StartFailed error={current.error} />;
    case 'ready':
      return <LazyShell engine={current.engine} />;
  }
}
