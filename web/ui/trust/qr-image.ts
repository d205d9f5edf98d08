/**
 * The scannable safety-number payload (libsignal's CombinedFingerprints
 * bytes, shared/crypto/safety-number.ts) as a QR code image: encoded in
 * byte mode by `uqr`, drawn as one SVG path and handed out as a blob: URL
 * (the CSP allows blob: images; no inline markup is injected).
 */
import { encode } from 'uqr';

/** Medium error correction: a phone camera at arm's length copes with glare. */
const QR_ECC = 'M';
/** The quiet zone around the code, in modules (the QR spec asks for 4). */
const QUIET_ZONE_MODULES = 4;

/** The SVG document for a QR code of `bytes`: black modules on white, whatever the theme. */
export function qrSvg(bytes: Uint8Array): string {
  const qr = encode([...bytes], { ecc: QR_ECC, border: QUIET_ZONE_MODULES });
  let path = '';
  qr.data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) path += `M${x} ${y}h1v1h-1z`;
    });
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${qr.size} ${qr.size}" shape-rendering="crispEdges"><rect width="${qr.size}" height="${qr.size}" fill="#fff"/><path d="${path}" fill="#000"/></svg>`;
}

/** A blob: URL of the QR code; the caller revokes it. */
export function qrObjectUrl(bytes: Uint8Array): string {
  return URL.createObjectURL(new Blob([qrSvg(bytes)], { type: 'image/svg+xml' }));
}
