/**
 * Users and devices: register (username + IK + first device + signed
 * prekey), login, add a device certified by a registered IK, look up a user's
 * keys, rotate a prekey. Every key bundle must be self-consistent (cert
 * signed by IK, device id derived from DK, SPK signed by DK) and every auth
 * message proves DK possession by signing this socket's challenge.
 */

import { fromB64, toB64 } from '../shared/crypto/encoding.ts';
import {
  certFromWire,
  certToWire,
  type DeviceCert,
  prekeyFromWire,
  prekeyToWire,
  verifyDeviceCert,
  verifySignedPrekey,
} from '../shared/crypto/keys.ts';
import { randomBytes } from '../shared/crypto/random.ts';
import { challengeFromWire, verifyRelayChallenge } from '../shared/crypto/relay-auth.ts';
import { sodium } from '../shared/crypto/sodium.ts';
import type { ClientMessageOf } from '../shared/protocol/client-messages.ts';
import type { ChallengeWireT } from '../shared/protocol/fields.ts';
import { LIMITS } from '../shared/protocol/fields.ts';
import { completeAuth, consumeChallenge, identityHasRoom, limitAuthAttempt } from './auth.ts';
import type { Connection } from './connection.ts';
import type { RelayContext } from './context.ts';
import { fail } from './relay-error.ts';
import type { DeviceRow, PrekeyFields, UserRow } from './store/store.ts';

type CertWire = ClientMessageOf<'login'>['cert'];
type SpkWire = ClientMessageOf<'register'>['spk'];

function requireNotAuthed(conn: Connection): void {
  if (conn.state === 'authed') fail('ALREADY_AUTHED', 'socket is logged in already');
  if (conn.state !== 'hello') fail('HELLO_REQUIRED', 'send hello first');
}

/** Cert must verify on its own (IK signature, deviceId = hash(DK)). */
function checkedCert(wire: CertWire): DeviceCert {
  const cert = certFromWire(wire);
  if (!verifyDeviceCert(cert)) fail('BAD_CERT', 'device certificate does not verify');
  return cert;
}

function checkedPrekey(wire: SpkWire, dkPk: Uint8Array): PrekeyFields {
  const spk = prekeyFromWire(wire);
  if (!verifySignedPrekey(spk, dkPk)) fail('BAD_PREKEY', 'signed prekey does not verify');
  return { spkId: spk.id, spkPk: spk.publicKey, spkCreated: spk.created, spkSig: spk.sig };
}

function checkSignature(
  conn: Connection,
  challenge: ChallengeWireT,
  dkPk: Uint8Array,
  sig: string,
) {
  const ok = verifyRelayChallenge(conn.origin, challengeFromWire(challenge), dkPk, fromB64(sig));
  if (!ok) fail('AUTH_FAILED', 'challenge signature does not verify');
}

function deviceRow(cert: DeviceCert, userId: string, spk: PrekeyFields, nowMs: number): DeviceRow {
  return {
    id: cert.deviceId,
    userId,
    dk: cert.dkPk,
    certCreated: cert.created,
    certSig: cert.sig,
    ...spk,
    created: nowMs,
  };
}

/**
 * The frame every login-type request shares: only on a socket not yet
 * logged in, within the per-address auth limit, with its challenge used up
 * before anything else is looked at, and every failure counted.
 */
async function authAttempt(
  ctx: RelayContext,
  conn: Connection,
  challenge: ClientMessageOf<'login'>['challenge'],
  attempt: () => void,
): Promise<void> {
  requireNotAuthed(conn);
  await limitAuthAttempt(ctx, conn);
  try {
    consumeChallenge(ctx, conn, challenge);
    attempt();
  } catch (err) {
    ctx.metrics.auth('fail');
    throw err;
  }
}

export async function onRegister(
  ctx: RelayContext,
  conn: Connection,
  msg: ClientMessageOf<'register'>,
): Promise<void> {
  await authAttempt(ctx, conn, msg.challenge, () => {
    const cert = checkedCert(msg.cert);
    checkSignature(conn, msg.challenge, cert.dkPk, msg.sig);
    const spk = checkedPrekey(msg.spk, cert.dkPk);
    const now = ctx.now();
    const user: UserRow = {
      id: toB64(randomBytes(LIMITS.userIdBytes)),
      username: msg.username,
      ik: cert.ikPk,
      created: now,
    };
    const result = ctx.store.createUserWithDevice(user, deviceRow(cert, user.id, spk, now));
    if (result !== 'ok') fail(result, result === 'USERNAME_TAKEN' ? 'username taken' : 'key taken');
    ctx.log.info({ userId: user.id }, 'user registered');
    completeAuth(ctx, conn, user, cert.deviceId, msg.ref);
  });
}

export async function onLogin(
  ctx: RelayContext,
  conn: Connection,
  msg: ClientMessageOf<'login'>,
): Promise<void> {
  await authAttempt(ctx, conn, msg.challenge, () => {
    const cert = checkedCert(msg.cert);
    const device = ctx.store.getDevice(cert.deviceId);
    if (!device) fail('UNKNOWN_DEVICE', 'device is not registered');
    const user = ctx.store.getUserById(device.userId);
    const s = sodium();
    // The stored keys are the truth; a cert for another IK (even a valid
    // one) does not log in as this device.
    if (!user || !s.memcmp(device.dk, cert.dkPk) || !s.memcmp(user.ik, cert.ikPk)) {
      fail('AUTH_FAILED', 'certificate does not match the registered device');
    }
    checkSignature(conn, msg.challenge, device.dk, msg.sig);
    completeAuth(ctx, conn, user, device.id, msg.ref);
  });
}

export async function onDeviceAdd(
  ctx: RelayContext,
  conn: Connection,
  msg: ClientMessageOf<'device.add'>,
): Promise<void> {
  await authAttempt(ctx, conn, msg.challenge, () => {
    const cert = checkedCert(msg.cert);
    const user = ctx.store.getUserByIk(cert.ikPk);
    if (!user) fail('UNKNOWN_USER', 'no user has this identity key');
    checkSignature(conn, msg.challenge, cert.dkPk, msg.sig);
    const spk = checkedPrekey(msg.spk, cert.dkPk);
    if (!identityHasRoom(ctx, conn, user.id, msg.ref)) return;
    const result = ctx.store.addDevice(
      deviceRow(cert, user.id, spk, ctx.now()),
      ctx.config.maxDevicesPerUser,
    );
    if (result !== 'ok') fail(result, result === 'DEVICE_LIMIT' ? 'too many devices' : 'key taken');
    ctx.log.info({ userId: user.id, deviceId: cert.deviceId }, 'device added');
    completeAuth(ctx, conn, user, cert.deviceId, msg.ref);
  });
}

export function onKeysGet(ctx: RelayContext, conn: Connection, msg: ClientMessageOf<'keys.get'>) {
  if ((msg.username === undefined) === (msg.userId === undefined)) {
    fail('SCHEMA', 'keys.get needs exactly one of username or userId');
  }
  const user =
    msg.username !== undefined
      ? ctx.store.getUserByName(msg.username)
      : ctx.store.getUserById(msg.userId!);
  if (!user) fail('UNKNOWN_USER', 'no such user');
  const devices = ctx.store.listDevices(user.id).map((d) => ({
    cert: certToWire({
      ikPk: user.ik,
      dkPk: d.dk,
      deviceId: d.id,
      created: d.certCreated,
      sig: d.certSig,
    }),
    spk: prekeyToWire({ id: d.spkId, publicKey: d.spkPk, created: d.spkCreated, sig: d.spkSig }),
  }));
  conn.send({
    t: 'keys',
    ref: msg.ref,
    userId: user.id,
    username: user.username,
    ik: toB64(user.ik),
    devices,
  });
}

export function onPrekeyRotate(
  ctx: RelayContext,
  conn: Connection,
  msg: ClientMessageOf<'prekey.rotate'>,
): void {
  const device = ctx.store.getDevice(conn.deviceId!);
  if (!device) fail('UNKNOWN_DEVICE', 'device vanished');
  ctx.store.updatePrekey(device.id, checkedPrekey(msg.spk, device.dk));
  conn.send({ t: 'ok', ref: msg.ref });
}
