/**
 * Sealed mail (CRYPTO.md "Direct messages"): a direct message for a recipient
 * who is offline, stored in the relay mailbox.
 *
 *   inner = {fromIK, toIK, msgId, ts, body, cert(DK ← fromIK),
 *            sig = sign(DK, frame(domain, toIK, msgId, ts, hash(body)))}
 *   outer = version ‖ prekeyId ‖ crypto_box_seal(pad(inner, 256), SPK_recipient)
 *
 * The seal hides sender and content from the relay; the signature and cert
 * prove which device of which identity wrote it (a sealed box alone is
 * anonymous: anyone can seal to a public prekey). `toIK` is signed so a
 * recipient cannot re-seal a message it received and pass it to someone else
 * as addressed to them.
 *
 * Deviation: the signature covers frame("parley/mail/v1", toIK, msgId, ts,
 * hash(body)) rather than the bare toIK‖msgId‖ts‖hash(body): DK also signs
 * relay logins, handshakes, sender-key messages and events, and the leading
 * length-prefixed domain keeps a signature made for one from verifying as
 * another.
 *
 * The prekey id travels in clear (a per-device number, no more telling than
 * the mailbox itself) so the recipient knows which SPK to open with. It is
 * not authenticated, and needs not be: a changed id only picks a key that
 * fails to open the box.
 */
import { DOMAIN, SEALED_MAIL, SIZES } from './constants.ts';
import { frame, unframe, utf8 } from './encoding.ts';
import { type DeviceCert, type SigningKeyPair, verifyDeviceCert } from './keys.ts';
import { fail, ok, type Result } from './result.ts';
import { sodium } from './sodium.ts';
import { readText, readU64 } from './wire.ts';

export type MailOpenError =
  | 'MAIL_MALFORMED'
  | 'MAIL_UNKNOWN_PREKEY'
  | 'MAIL_DECRYPT_FAILED'
  | 'MAIL_BAD_PADDING'
  | 'MAIL_WRONG_RECIPIENT'
  | 'MAIL_BAD_CERT'
  | 'MAIL_BAD_SIGNATURE';

export interface MailToSeal {
  /** The sending device: its key pair and the cert binding it to the sender's IK. */
  from: { device: SigningKeyPair; cert: DeviceCert };
  toIkPk: Uint8Array;
  /** The recipient device's signed prekey (verified by the caller against its DK). */
  toPrekey: { id: number; publicKey: Uint8Array };
  msgId: string;
  /** ms since epoch. */
  ts: number;
  body: Uint8Array;
}

export interface OpenedMail {
  fromIkPk: Uint8Array;
  fromDkPk: Uint8Array;
  fromDeviceId: string;
  /** The sender's device cert, already verified against fromIkPk. */
  cert: DeviceCert;
  msgId: string;
  ts: number;
  body: Uint8Array;
}

/** A prekey pair the recipient still holds (current or within its 14-day grace). */
export interface MailPrekey {
  id: number;
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

const HEADER_BYTES = 1 + 4;
const INNER_FIELDS = 11;
const SEAL_OVERHEAD_BYTES = 32 + 16;
/** A device id is 22 base64url characters; anything much longer is malformed. */
const MAX_DEVICE_ID_BYTES = 64;
const MAX_TAG_BYTES = 64;

function mailSignatureMessage(toIkPk: Uint8Array, msgId: string, ts: number, body: Uint8Array) {
  const bodyHash = sodium().crypto_generichash(32, body, null);
  return frame(DOMAIN.sealedMail, toIkPk, msgId, ts, bodyHash);
}

export function sealMail(mail: MailToSeal): Uint8Array {
  const s = sodium();
  const { cert, device } = mail.from;
  if (utf8(mail.msgId).length > SEALED_MAIL.maxMsgIdBytes) {
    throw new RangeError('parley/sealed-mail: msgId too long');
  }
  if (mail.body.length > SEALED_MAIL.maxBodyBytes) {
    throw new RangeError('parley/sealed-mail: body too long');
  }
  const sig = s.crypto_sign_detached(
    mailSignatureMessage(mail.toIkPk, mail.msgId, mail.ts, mail.body),
    device.privateKey,
  );
  const inner = frame(
    DOMAIN.sealedMailInner,
    cert.ikPk,
    mail.toIkPk,
    mail.msgId,
    mail.ts,
    mail.body,
    cert.dkPk,
    cert.deviceId,
    cert.created,
    cert.sig,
    sig,
  );
  const sealed = s.crypto_box_seal(
    s.pad(inner, SEALED_MAIL.padBlockBytes),
    mail.toPrekey.publicKey,
  );
  const out = new Uint8Array(HEADER_BYTES + sealed.length);
  const view = new DataView(out.buffer);
  out[0] = SEALED_MAIL.version;
  view.setUint32(1, mail.toPrekey.id);
  out.set(sealed, HEADER_BYTES);
  return out;
}

/** The prekey id a mail names, so a mailbox can be sorted before opening; null if malformed. */
export function mailPrekeyId(mail: Uint8Array): number | null {
  if (mail.length < HEADER_BYTES || mail[0] !== SEALED_MAIL.version) return null;
  return new DataView(mail.buffer, mail.byteOffset, mail.byteLength).getUint32(1);
}

export function openMail(
  mail: Uint8Array,
  myPrekeys: readonly MailPrekey[],
  myIkPk: Uint8Array,
): Result<OpenedMail, MailOpenError> {
  const s = sodium();
  const prekeyId = mailPrekeyId(mail);
  if (prekeyId === null || mail.length < HEADER_BYTES + SEAL_OVERHEAD_BYTES) {
    return fail('MAIL_MALFORMED');
  }
  const prekey = myPrekeys.find((p) => p.id === prekeyId);
  if (!prekey) return fail('MAIL_UNKNOWN_PREKEY');

  let padded: Uint8Array;
  try {
    padded = s.crypto_box_seal_open(
      mail.subarray(HEADER_BYTES),
      prekey.publicKey,
      prekey.privateKey,
    );
  } catch {
    return fail('MAIL_DECRYPT_FAILED');
  }
  let inner: Uint8Array;
  try {
    inner = s.unpad(padded, SEALED_MAIL.padBlockBytes);
  } catch {
    return fail('MAIL_BAD_PADDING');
  } finally {
    // unpad copies: the padded plaintext is not needed again.
    s.memzero(padded);
  }
  let fields: Uint8Array[];
  try {
    fields = unframe(inner);
  } catch {
    return fail('MAIL_MALFORMED');
  }
  if (fields.length !== INNER_FIELDS) return fail('MAIL_MALFORMED');
  const tag = fields[0]!;
  const fromIk = fields[1]!;
  const toIk = fields[2]!;
  const msgIdBytes = fields[3]!;
  const tsBytes = fields[4]!;
  const body = fields[5]!;
  const dkPk = fields[6]!;
  const deviceIdBytes = fields[7]!;
  const createdBytes = fields[8]!;
  const certSig = fields[9]!;
  const sig = fields[10]!;
  const msgId = readText(msgIdBytes, SEALED_MAIL.maxMsgIdBytes);
  const deviceId = readText(deviceIdBytes, MAX_DEVICE_ID_BYTES);
  const ts = readU64(tsBytes);
  const created = readU64(createdBytes);
  if (
    readText(tag, MAX_TAG_BYTES) !== DOMAIN.sealedMailInner ||
    msgId === null ||
    deviceId === null ||
    ts === null ||
    created === null ||
    fromIk.length !== SIZES.publicKeyBytes ||
    toIk.length !== SIZES.publicKeyBytes ||
    sig.length !== SIZES.signatureBytes ||
    body.length > SEALED_MAIL.maxBodyBytes
  ) {
    return fail('MAIL_MALFORMED');
  }
  // Addressed to someone else: a recipient re-sealing what it received.
  if (myIkPk.length !== SIZES.publicKeyBytes || !s.memcmp(toIk, myIkPk)) {
    return fail('MAIL_WRONG_RECIPIENT');
  }
  const cert: DeviceCert = {
    ikPk: fromIk.slice(),
    dkPk: dkPk.slice(),
    deviceId,
    created,
    sig: certSig.slice(),
  };
  if (!verifyDeviceCert(cert)) return fail('MAIL_BAD_CERT');
  if (!s.crypto_sign_verify_detached(sig, mailSignatureMessage(toIk, msgId, ts, body), cert.dkPk)) {
    return fail('MAIL_BAD_SIGNATURE');
  }
  return ok({
    fromIkPk: cert.ikPk,
    fromDkPk: cert.dkPk,
    fromDeviceId: deviceId,
    cert,
    msgId,
    ts,
    body: body.slice(),
  });
}
