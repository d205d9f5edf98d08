/**
 * The session: which screen the app is on and the signed-in engine. The
 * engine module is loaded with `import()` after the first paint; whether
 * this browser has an account at all is answered from the list of IndexedDB
 * databases first, so a new visitor sees the sign-up form without waiting
 * for libsodium.
 */
import { signal } from '@preact/signals';
import type { AccountSession, Engine, StoredAccount } from './engine.ts';
import { navigate } from './route.ts';

export type EngineModule = typeof import('./engine.ts');

export type Phase =
  | { kind: 'booting' }
  | { kind: 'onboarding' }
  /** This device has an account that needs its password. */
  | { kind: 'locked'; stored: StoredAccount }
  /** Sign-up succeeded: the key is shown once while the engine starts behind it. */
  | { kind: 'recovery-key'; recoveryKey: string; starting: Promise<Engine> }
  | { kind: 'starting'; username: string }
  | { kind: 'ready'; engine: Engine }
  /** Signed in but the relay could not be reached (or the history would not open). */
  | { kind: 'start-failed'; session: AccountSession; error: unknown }
  /** The engine chunk or the key database could not be read at all. */
  | { kind: 'boot-failed'; error: unknown };

export const phase = signal<Phase>({ kind: 'booting' });

const KEY_DB_NAME = 'parley-keys';

let engineModule: Promise<EngineModule> | null = null;

/** The engine chunk (and libsodium with it); loaded once, on first need or after first paint. */
export function loadEngine(): Promise<EngineModule> {
  // libsodium is its own chunk, requested beside the engine rather than after it (TARGETS.md P7).
  engineModule ??= Promise.all([
    import('./engine.ts'),
    import('../../../shared/crypto/sodium.ts').then((m) => m.loadSodium()),
  ]).then(([engine]) => engine);
  return engineModule;
}

/** True when IndexedDB certainly has no key database (so: onboarding, no engine needed yet). */
async function certainlyNoAccount(): Promise<boolean> {
  try {
    const dbs = await indexedDB.databases();
    return !dbs.some((db) => db.name === KEY_DB_NAME);
  } catch {
    return false;
  }
}

export async function boot(): Promise<void> {
  if (await certainlyNoAccount()) {
    phase.value = { kind: 'onboarding' };
    void loadEngine();
    return;
  }
  const engine = await loadEngine();
  const stored = await engine.findStoredAccount();
  if (!stored) {
    phase.value = { kind: 'onboarding' };
    return;
  }
  if (stored.remembered) {
    const session = await engine.unlockRememberedDevice().catch(() => null);
    if (session) {
      await start(session);
      return;
    }
  }
  phase.value = { kind: 'locked', stored };
}

/** Opens history and connects; failure leaves a retry screen, not a dead end. */
export async function start(session: AccountSession): Promise<void> {
  phase.value = { kind: 'starting', username: session.account.username };
  await adopt(session, (await loadEngine()).startEngine(session));
}

async function adopt(session: AccountSession, starting: Promise<Engine>): Promise<void> {
  try {
    phase.value = { kind: 'ready', engine: await starting };
  } catch (error) {
    phase.value = { kind: 'start-failed', session, error };
  }
}

export async function createAccountAndStart(
  username: string,
  password: string,
  rememberDevice: boolean,
): Promise<void> {
  const engine = await loadEngine();
  const { session, recoveryKey } = await engine.createNewAccount(
    username,
    password,
    rememberDevice,
  );
  const starting = engine.startEngine(session);
  // Handled when the person presses Continue; until then a failure must not go unhandled.
  starting.catch(() => undefined);
  pendingSession = session;
  phase.value = { kind: 'recovery-key', recoveryKey, starting };
}

let pendingSession: AccountSession | null = null;

/** After "I have saved my recovery key": the engine has usually finished starting by now. */
export async function continueAfterRecoveryKey(): Promise<void> {
  const current = phase.value;
  if (current.kind !== 'recovery-key' || !pendingSession) return;
  const session = pendingSession;
  pendingSession = null;
  phase.value = { kind: 'starting', username: session.account.username };
  await adopt(session, current.starting);
}

export async function signIn(
  username: string,
  password: string,
  rememberDevice: boolean,
): Promise<void> {
  const engine = await loadEngine();
  await start(await engine.signInPassword(username, password, rememberDevice));
}

export async function signInWithRecovery(
  username: string,
  recoveryKey: string,
  newPassword: string,
  rememberDevice: boolean,
): Promise<void> {
  const engine = await loadEngine();
  await start(await engine.signInRecovery(username, recoveryKey, newPassword, rememberDevice));
}

export async function unlockDevice(password: string, rememberDevice: boolean): Promise<void> {
  const engine = await loadEngine();
  await start(await engine.unlockWithSecret(password, rememberDevice));
}

export async function retryStart(): Promise<void> {
  const current = phase.value;
  if (current.kind === 'start-failed') await start(current.session);
  else if (current.kind === 'boot-failed') location.reload();
}

/** Erases this device (after the person confirmed) and returns to onboarding. */
export async function signOutAndErase(): Promise<void> {
  const current = phase.value;
  const engine = await loadEngine();
  await engine.signOutDevice(
    current.kind === 'ready' ? current.engine : null,
    current.kind === 'locked'
      ? current.stored.userId
      : current.kind === 'start-failed'
        ? current.session.account.userId
        : null,
  );
  // The next person on this device starts fresh, not inside the last one's Settings or room.
  navigate({ name: 'home' }, { replace: true });
  phase.value = { kind: 'onboarding' };
}
