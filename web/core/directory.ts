/**
 * Other users' keys, as the relay hands them out (`keys.get`) — and the relay
 * is not trusted to hand out the right ones. Every device certificate must
 * chain to the user's identity key and every prekey must be signed by its
 * device; then the identity key is checked against our pin (trust.ts). A
 * user whose key changed yields no usable devices until the person decides.
 */
import { fromB64 } from '../../shared/crypto/encoding.ts';
import {
  certFromWire,
  type DeviceCert,
  prekeyFromWire,
  type SignedPrekey,
  verifyDeviceCert,
  verifySignedPrekey,
} from '../../shared/crypto/keys.ts';
import type { RelayMessageOf } from '../../shared/protocol/relay-messages.ts';
import type { ObserveResult, TrustStore } from './trust.ts';

export interface VerifiedDevice {
  deviceId: string;
  cert: DeviceCert;
  spk: SignedPrekey;
}

export type DirectoryEntry =
  | {
      state: 'trusted';
      userId: string;
      username: string;
      ik: Uint8Array;
      devices: VerifiedDevice[];
      /** Devices the relay listed whose cert or prekey did not verify. */
      rejected: string[];
    }
  | { state: 'changed'; userId: string; username: string; presentedIk: Uint8Array };

/**
 * Checks a `keys` reply and records what it says about the user's identity.
 * Pure apart from the pin it may create or flag.
 */
export async function checkKeys(
  reply: RelayMessageOf<'keys'>,
  trust: TrustStore,
): Promise<DirectoryEntry> {
  let ik: Uint8Array;
  try {
    ik = fromB64(reply.ik);
  } catch {
    // The schema checked the shape; this is belt and braces.
    throw new Error('parley/directory: malformed identity key');
  }
  const seen: ObserveResult = await trust.observe(reply.userId, reply.username, reply.ik);
  if (seen === 'changed') {
    return { state: 'changed', userId: reply.userId, username: reply.username, presentedIk: ik };
  }
  const devices: VerifiedDevice[] = [];
  const rejected: string[] = [];
  for (const entry of reply.devices) {
    try {
      const cert = certFromWire(entry.cert);
      const spk = prekeyFromWire(entry.spk);
      if (verifyDeviceCert(cert, ik) && verifySignedPrekey(spk, cert.dkPk)) {
        devices.push({ deviceId: cert.deviceId, cert, spk });
        continue;
      }
    } catch {
      // Malformed base64 inside a schema-valid reply: treated like a bad signature.
    }
    rejected.push(entry.cert.deviceId);
  }
  return {
    state: 'trusted',
    userId: reply.userId,
    username: reply.username,
    ik,
    devices,
    rejected,
  };
}
