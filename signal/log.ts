/**
 * Structured JSON logs (pino). Frame contents are never logged; the redact
 * list is a second line of defence for anything secret-ish that reaches a
 * log call by accident (signatures, nonces, blobs, keys, invite codes,
 * payloads).
 */
import pino from 'pino';

const SECRET_KEYS = [
  'sig',
  'nonce',
  'challenge',
  'blob',
  'authPk',
  'salt',
  'invite',
  'inviteCode',
  'data',
  'payload',
  'ik',
  'dk',
  'spk',
  'cert',
  'turnSecret',
  'credential',
  'password',
];

export type Logger = pino.Logger;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const redact = {
    paths: [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`)],
    censor: '[redacted]',
  };
  const options = { level, redact, base: { svc: 'parley-relay' } };
  return destination ? pino(options, destination) : pino(options);
}
