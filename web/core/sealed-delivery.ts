/**
 * Sealed mail for devices that are offline (CRYPTO.md "Direct messages"):
 * sealed to the device's signed prekey, signed by our device, bound to the
 * recipient's identity, and kept by the relay in that device's mailbox. The
 * body is a link message (a DM event or a room sender-key distribution), so
 * what arrives by mail is handled exactly like what arrives over a link.
 */
import type { DeviceCert, SigningKeyPair } from '../../shared/crypto/keys.ts';
import { fail, ok, type Result } from '../../shared/crypto/result.ts';
import {
  type MailOpenError,
  type MailPrekey,
  type OpenedMail,
  openMail,
  sealMail,
} from '../../shared/crypto/sealed-mail.ts';
import { clientEnvelope } from '../../shared/protocol/envelope.ts';
import type { VerifiedDevice } from './directory.ts';
import { decodeLinkMessage, encodeLinkMessage, type LinkMessage } from './link-messages.ts';
import { encodeRelayPayload } from './relay-payload.ts';

export type SealedContent = Extract<LinkMessage, { t: 'direct' } | { t: 'senderKey' }>;

export interface Sender {
  dk: SigningKeyPair;
  cert: DeviceCert;
}

/** A relay envelope carrying sealed mail to one device, kept if it is offline. */
export function sealedEnvelopeFor(
  sender: Sender,
  to: { ikPk: Uint8Array; device: VerifiedDevice },
  meta: { msgId: string; ts: number },
  content: SealedContent,
): Uint8Array {
  const box = sealMail({
    from: { device: sender.dk, cert: sender.cert },
    toIkPk: to.ikPk,
    toPrekey: { id: to.device.spk.id, publicKey: to.device.spk.publicKey },
    msgId: meta.msgId,
    ts: meta.ts,
    body: encodeLinkMessage(content),
  });
  return clientEnvelope(
    { device: to.device.deviceId },
    encodeRelayPayload({ kind: 'sealed', box }),
    { storeIfOffline: true },
  );
}

export type OpenSealedError = MailOpenError | 'MAIL_BAD_CONTENT';

export interface OpenedSealed {
  /** Sender identity, device and cert — the cert already verified against the IK. */
  from: OpenedMail;
  content: SealedContent;
}

/** Opens mail for this device; the caller still checks the sender's IK against its pin. */
export function openSealed(
  box: Uint8Array,
  myPrekeys: readonly MailPrekey[],
  myIkPk: Uint8Array,
): Result<OpenedSealed, OpenSealedError> {
  const opened = openMail(box, myPrekeys, myIkPk);
  if (!opened.ok) return opened;
  const content = decodeLinkMessage(opened.value.body);
  if (!content || (content.t !== 'direct' && content.t !== 'senderKey')) {
    return fail('MAIL_BAD_CONTENT');
  }
  return ok({ from: opened.value, content });
}
