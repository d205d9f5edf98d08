/**
 * Password accounts (CRYPTO.md "Password accounts"). The relay stores, per
 * account, an auth public key, the wrapped identity blob, the salt and the
 * Argon2id parameters. It never sees a password or anything a guess can be
 * checked against offline: the blob is released only to a signature by the
 * auth key, and attempts are rate limited per account and per address.
 */
import { fromB64, toB64, utf8 } from '../shared/crypto/encoding.ts';
import { challengeFromWire, verifyRelayChallenge } from '../shared/crypto/relay-auth.ts';
import { sodium } from '../shared/crypto/sodium.ts';
import type { ClientMessageOf } from '../shared/protocol/client-messages.ts';
import { type KdfParamsWire, LIMITS } from '../shared/protocol/fields.ts';
import { consumeChallenge } from './auth.ts';
import type { Connection } from './connection.ts';
import type { RelayContext } from './context.ts';
import { fail } from './relay-error.ts';

/** What an unknown username (or one without a password) is told: CRYPTO.md minimums. */
export const DEFAULT_KDF: KdfParamsWire = {
  alg: 'argon2id13',
  opslimit: 3,
  memlimit: 64 * 1024 * 1024,
};

/**
 * crypto_generichash(16, username, pepper): stable per username, so asking
 * twice gives the same answer, and unpredictable without the pepper, so a
 * fake salt cannot be told from a real one.
 */
export function fakeSalt(pepper: Uint8Array, username: string): Uint8Array {
  return sodium().crypto_generichash(LIMITS.saltBytes, utf8(username.toLowerCase()), pepper);
}

export function onPrelogin(ctx: RelayContext, conn: Connection, msg: ClientMessageOf<'prelogin'>) {
  const user = ctx.store.getUserByName(msg.username);
  const secret = user ? ctx.store.getSecret(user.id, 'password') : null;
  if (secret?.salt && secret.opslimit !== null && secret.memlimit !== null) {
    conn.send({
      t: 'prelogin.ok',
      ref: msg.ref,
      salt: toB64(secret.salt),
      kdf: { alg: 'argon2id13', opslimit: secret.opslimit, memlimit: secret.memlimit },
    });
    return;
  }
  conn.send({
    t: 'prelogin.ok',
    ref: msg.ref,
    salt: toB64(fakeSalt(ctx.pepper, msg.username)),
    kdf: DEFAULT_KDF,
  });
}

export async function onBlobFetch(
  ctx: RelayContext,
  conn: Connection,
  msg: ClientMessageOf<'blob.fetch'>,
): Promise<void> {
  if (conn.state === 'new') fail('HELLO_REQUIRED', 'send hello first');
  const account = msg.username.toLowerCase();
  // Both limits are charged on every attempt, known username or not, so
  // the limiter's answers reveal nothing either.
  const [perAccount, perIp] = await Promise.allSettled([
    ctx.limiters.blobPerAccount.consume(account),
    ctx.limiters.blobPerIp.consume(conn.ip),
  ]);
  if (perAccount.status === 'rejected' || perIp.status === 'rejected') {
    fail('RATE_LIMITED', 'too many sign-in attempts');
  }
  consumeChallenge(ctx, conn, msg.challenge);
  const user = ctx.store.getUserByName(account);
  const secret = user ? ctx.store.getSecret(user.id, msg.kind) : null;
  // Unknown user, no blob of that kind and a wrong key all look the same.
  if (
    !user ||
    !secret ||
    !verifyRelayChallenge(
      conn.origin,
      challengeFromWire(msg.challenge),
      secret.authPk,
      fromB64(msg.sig),
    )
  ) {
    ctx.metrics.auth('fail');
    fail('AUTH_FAILED', 'sign-in failed');
  }
  ctx.log.info({ userId: user.id, kind: msg.kind }, 'secret blob released');
  const extra =
    secret.salt && secret.opslimit !== null && secret.memlimit !== null
      ? {
          salt: toB64(secret.salt),
          kdf: {
            alg: 'argon2id13' as const,
            opslimit: secret.opslimit,
            memlimit: secret.memlimit,
          },
        }
      : {};
  conn.send({
    t: 'blob.ok',
    ref: msg.ref,
    kind: msg.kind,
    userId: user.id,
    ik: toB64(user.ik),
    blob: toB64(secret.blob),
    ...extra,
  });
}

export function onPasswordSet(
  ctx: RelayContext,
  conn: Connection,
  msg: ClientMessageOf<'password.set'>,
): void {
  ctx.store.setSecret({
    userId: conn.userId!,
    kind: 'password',
    authPk: fromB64(msg.authPk),
    salt: fromB64(msg.salt),
    opslimit: msg.kdf.opslimit,
    memlimit: msg.kdf.memlimit,
    blob: fromB64(msg.blob),
    updated: ctx.now(),
  });
  ctx.log.info({ userId: conn.userId }, 'password account set');
  conn.send({ t: 'ok', ref: msg.ref });
}

export function onRecoverySet(
  ctx: RelayContext,
  conn: Connection,
  msg: ClientMessageOf<'recovery.set'>,
): void {
  ctx.store.setSecret({
    userId: conn.userId!,
    kind: 'recovery',
    authPk: fromB64(msg.authPk),
    salt: null,
    opslimit: null,
    memlimit: null,
    blob: fromB64(msg.blob),
    updated: ctx.now(),
  });
  ctx.log.info({ userId: conn.userId }, 'recovery blob set');
  conn.send({ t: 'ok', ref: msg.ref });
}
