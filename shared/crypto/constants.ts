/**
 * Every domain-separation string and KDF context of the protocol, in one
 * versioned place (CRYPTO.md). Changing any value is a protocol change: bump
 * PROTOCOL_VERSION with it.
 */

/** Wire protocol version, exchanged at hello. */
export const PROTOCOL_VERSION = 1;

/** Signature and hash domains: prepended (length-prefixed) to what is signed. */
export const DOMAIN = {
  deviceCert: 'parley/devcert/v1',
  deviceId: 'parley/devid/v1',
  signedPrekey: 'parley/spk/v1',
  relayAuth: 'parley/relay-auth/v1',
  idWrap: 'parley/idwrap/v1',
  handshake: 'parley/hs/v1',
  handshakeInit: 'hs/init',
  handshakeResp: 'hs/resp',
  event: 'parley/event/v1',
} as const;

/** crypto_kdf contexts: exactly 8 bytes each (crypto_kdf_CONTEXTBYTES). */
export const KDF_CONTEXT = {
  passwordAuth: 'pwauth01',
  passwordWrap: 'pwwrap01',
  handshakeKey: 'hs_key__',
  traffic: 'traffic_',
  senderKeyMessage: 'sk_msg__',
  senderKeyChain: 'sk_chain',
  fileSegment: 'filesegk',
} as const;

export const SIZES = {
  /** Ed25519 public key, X25519 public key. */
  publicKeyBytes: 32,
  /** Ed25519 secret key (seed ‖ public key). */
  signSecretKeyBytes: 64,
  seedBytes: 32,
  signatureBytes: 64,
  /** Relay login challenge nonce. */
  challengeNonceBytes: 32,
  /** Device id: generichash(16) of the device key, base64url. */
  deviceIdBytes: 16,
} as const;

export const RELAY_AUTH = {
  /** A challenge may be answered once, within this long of being issued. */
  challengeTtlMs: 60_000,
  /** Allowed difference between the challenge ts and the verifier's clock. */
  clockSkewMs: 300_000,
  /** The socket must finish auth this long after connecting. */
  authDeadlineMs: 10_000,
} as const;
