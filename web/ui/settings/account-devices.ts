/**
 * This account's other devices, for "My devices". The relay lists them
 * (`keys.get` on ourselves), but only certificates our own identity key
 * signed are shown: a relay cannot slip in a device of its own.
 */
import { certFromWire, verifyDeviceCert } from '../../../shared/crypto/keys.ts';
import type { ParleyClient } from '../../core/client.ts';

export interface AccountDevice {
  deviceId: string;
  /** When the device was certified (ms since epoch). */
  createdMs: number;
}

export async function otherDevices(client: ParleyClient): Promise<AccountDevice[]> {
  const me = client.me;
  const reply = await client.relay.call({ t: 'keys.get', userId: me.userId }, 'keys');
  const devices: AccountDevice[] = [];
  for (const { cert } of reply.devices) {
    if (cert.deviceId === me.deviceId) continue;
    try {
      const parsed = certFromWire(cert);
      if (!verifyDeviceCert(parsed, me.ikPk)) continue;
      devices.push({ deviceId: cert.deviceId, createdMs: cert.created });
    } catch {
      // A malformed certificate is not one of ours.
    }
  }
  return devices.sort((a, b) => b.createdMs - a.createdMs);
}
