/**
 * Device certificates we have verified (from link handshakes and sealed
 * mail), by device id. A member answering a backfill request sends each
 * event's author cert along, so the joiner can verify events by authors it
 * has never linked with.
 */
import { fromUtf8, utf8 } from '../../shared/crypto/encoding.ts';
import {
  certFromWire,
  certToWire,
  type DeviceCert,
  type DeviceCertWire,
} from '../../shared/crypto/keys.ts';

export class CertCache {
  readonly #certs = new Map<string, DeviceCert>();

  remember(cert: DeviceCert): void {
    this.#certs.set(cert.deviceId, cert);
  }

  get(deviceId: string): DeviceCert | undefined {
    return this.#certs.get(deviceId);
  }
}

export function encodeCert(cert: DeviceCert): Uint8Array {
  return utf8(JSON.stringify(certToWire(cert)));
}

/** Null for anything malformed; the signature is checked by the caller. */
export function decodeCert(bytes: Uint8Array): DeviceCert | null {
  try {
    const wire = JSON.parse(fromUtf8(bytes)) as DeviceCertWire;
    if (
      typeof wire !== 'object' ||
      typeof wire.ik !== 'string' ||
      typeof wire.dk !== 'string' ||
      typeof wire.deviceId !== 'string' ||
      typeof wire.created !== 'number' ||
      typeof wire.sig !== 'string'
    ) {
      return null;
    }
    return certFromWire(wire);
  } catch {
    return null;
  }
}
