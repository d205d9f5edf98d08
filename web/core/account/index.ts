/**
 * Accounts and sign-in: the API the app and the engine facade call.
 *
 * | call | what it does |
 * |---|---|
 * | `createAccount` | new identity + this device, registered; password blob (if a password is given) and a recovery key, returned once as text |
 * | `signInWithPassword` | new device from username + password: relay KDF params checked, blob fetched with a signed challenge, identity checked, fresh device certified and added |
 * | `signInWithRecoveryKey` | the same with the recovery key; optionally sets a new password |
 * | `storedAccount` | whether this device has an account, and how it unlocks |
 * | `unlock` / `unlockRemembered` | after a reload: the Account and the history store's at-rest keys |
 * | `changePassword` / `replaceRecoveryKey` | new wrappings; the identity stays |
 * | `rotatePrekeyIfDue` | weekly SPK; retired private keys kept 14 days |
 * | `signOut` | wipes every local database (after the user confirmed) |
 *
 * Every failure is an `AccountError` whose `code` is listed, with its
 * meaning, in `ACCOUNT_ERROR_CODES`. Argon2id runs through `kdf.derive`
 * (`KeyDerivation`), which the app backs with a Web Worker. Keys are stored in
 * `indexedDbKeyStore()` (database `parley-keys`). Nothing in this module logs.
 *
 * After sign-up, sign-in or unlock, the engine logs in with
 * `relay.login(deviceCredentials(session.account))` (sign-up and sign-in
 * leave the relay client logged in already) and opens the history store
 * with `session.atRest`.
 */
export {
  type Account,
  type AccountPrekeys,
  type AccountSession,
  type AccountSummary,
  deviceCredentials,
  findPrekey,
  type RetiredPrekey,
  summarizeAccount,
  wipeAccount,
} from './account.ts';
export {
  ACCOUNT_ERROR_CODES,
  AccountError,
  type AccountErrorCode,
} from './account-errors.ts';
export {
  type CreateAccountOptions,
  type CreatedAccount,
  createAccount,
  isValidUsername,
} from './create-account.ts';
export {
  type ChangePasswordOptions,
  changePassword,
  type ReplaceRecoveryKeyOptions,
  replaceRecoveryKey,
} from './credential-change.ts';
export type { AccountKdfOptions, KeyDerivation } from './key-derivation.ts';
export {
  type MessagePortLike,
  serveKeyDerivation,
  workerKeyDerivation,
} from './key-derivation-worker.ts';
export {
  indexedDbKeyStore,
  KEY_STORE_DEFAULTS,
  type KeyStore,
  type KeyStoreEntries,
} from './key-store.ts';
export {
  PREKEY_POLICY,
  type PrekeyPlan,
  type PrekeyPolicy,
  type PrekeyRotationResult,
  planPrekeyRotation,
  type RotatePrekeyOptions,
  rotatePrekeyIfDue,
} from './prekey-rotation.ts';
export {
  type PasswordSignInOptions,
  type RecoverySignInOptions,
  signInWithPassword,
  signInWithRecoveryKey,
} from './sign-in.ts';
export { type SignOutOptions, signOut } from './sign-out.ts';
export {
  forgetThisDevice,
  type StoredAccount,
  storedAccount,
  type UnlockOptions,
  unlock,
  unlockRemembered,
} from './unlock.ts';
