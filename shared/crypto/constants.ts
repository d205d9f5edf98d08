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
  /** Short display/log id of any public key (keys.ts keyId). */
  keyId: 'parley/keyid/v1',
  signedPrekey: 'parley/spk/v1',
  relayAuth: 'parley/relay-auth/v1',
  idWrap: 'parley/idwrap/v1',
  handshake: 'parley/hs/v1',
  handshakeInit: 'hs/init',
  handshakeResp: 'hs/resp',
  /** Sender-key message signature input (added to the spec's header‖nonce‖c; see sender-keys.ts). */
  senderKeyMessage: 'parley/sk/v1',
  senderKeyDistribution: 'parley/skdist/v1',
  event: 'parley/event/v1',
  /** Room membership chain entries (shared/events/membership-chain.ts): signature and link hash. */
  membership: 'parley/member/v1',
  membershipLink: 'parley/member-link/v1',
  /** Hash of a private room's invite secret, as published in the chain. */
  invite: 'parley/invite/v1',
  /** DM conversation ids (web/core/dm-id.ts): a hash, not a signature domain. */
  dmId: 'parley/dm-id/v1',
  /** AD of the recovery-key copy of the identity seed. */
  recoveryWrap: 'parley/recwrap/v1',
  /** Checksum of a displayed recovery key (catches typos before any crypto). */
  recoveryKeyChecksum: 'parley/reckey/v1',
  /** AD of the wrapped at-rest keys (DEK + blind-index key). */
  dataKeyWrap: 'parley/dekwrap/v1',
  /** AD of the at-rest keys kept under a non-extractable WebCrypto key ("remember this device"). */
  rememberedKeys: 'parley/remember/v1',
  /** Store name (record AD) of this device's sealed key records in the `parley-keys` database. */
  deviceKeysRecord: 'parley/device-keys/v1',
  /** Signed part of an offline direct message (sealed mail). */
  sealedMail: 'parley/mail/v1',
  /** Tag of the sealed-mail inner encoding: a new layout gets a new tag. */
  sealedMailInner: 'parley/mail-inner/v1',
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
  /** At-rest key wrap, derived from the password (or local passphrase) master. */
  passwordStorage: 'pwstor01',
  /** Wrap key derived from the 32-byte recovery key. */
  recoveryWrap: 'recwrap1',
  /** Auth key (signs the blob.fetch challenge) derived from the 32-byte recovery key. */
  recoveryAuth: 'recauth1',
} as const;

/** crypto_kdf subkey ids under the password master (CRYPTO.md "Password accounts"). */
export const PASSWORD_SUBKEY_ID = {
  auth: 1,
  wrap: 2,
  storage: 3,
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

/**
 * Binary wire messages of the crypto layer: byte 0 is the version, byte 1 the
 * type, then `frame(...)` fields (see wire.ts).
 */
export const WIRE_VERSION = 1;
export const WIRE_TYPE = {
  handshakeInit: 1,
  handshakeResponse: 2,
  handshakeFinish: 3,
  senderKeyMessage: 16,
  senderKeyDistribution: 17,
  senderKeyReceiverState: 18,
  senderKeyChainState: 19,
  fileOffer: 32,
} as const;

/** Link handshake and session (CRYPTO.md "Link handshake"). */
export const LINK = {
  /** The caller aborts a handshake not finished this long after it started. */
  handshakeTimeoutMs: 10_000,
  /** Stand-in for the DTLS fingerprint on the relay path (no DTLS there). */
  relayFingerprint: 'relay',
  /** A sender pushes TAG_REKEY on every this-many-th frame (2^16). */
  rekeyIntervalFrames: 65_536,
  /** Largest link frame accepted by `open` (Chrome's maxMessageSize). */
  maxFrameBytes: 262_144,
  /** Largest handshake message accepted: certs are fixed-size, so this is generous. */
  maxHandshakeMessageBytes: 2_048,
  /** Bound on an SDP handed to the fingerprint parser (a real one is ~1–6 KiB). */
  maxSdpChars: 65_536,
} as const;

/** Rooms: sender keys (CRYPTO.md "Rooms: sender keys"), bounds as libsignal. */
export const SENDER_KEYS = {
  maxForwardJump: 25_000,
  maxSkippedKeys: 2_000,
  /** Plaintext is padded to a multiple of this before encryption. */
  padBlockBytes: 256,
  rotateAfterMessages: 100,
  rotateAfterMs: 7 * 24 * 60 * 60 * 1000,
  maxRoomIdBytes: 256,
  maxMsgIdBytes: 128,
  maxPlaintextBytes: 1_048_576,
} as const;

/** Files (CRYPTO.md "Files"). */
export const FILES = {
  minChunkBytes: 16_384,
  maxChunkBytes: 65_536,
  chunksPerSegment: 256,
  fileIdBytes: 16,
  /** 1 TiB: far above any browser transfer, far below u64 trouble. */
  maxFileBytes: 2 ** 40,
  maxNameBytes: 1_024,
  maxMimeBytes: 255,
} as const;

/**
 * Password accounts (CRYPTO.md "Password accounts"). The relay hands out the
 * Argon2id parameters at prelogin, so the client refuses any outside these
 * bounds: too low would let a malicious relay make an offline guess cheap,
 * too high would hang or crash the tab (wasm memory) as a denial of service.
 */
export const PASSWORD_KDF = {
  saltBytes: 16,
  defaultOpsLimit: 3,
  defaultMemLimitBytes: 64 * 1024 * 1024,
  minOpsLimit: 3,
  maxOpsLimit: 16,
  minMemLimitBytes: 64 * 1024 * 1024,
  maxMemLimitBytes: 512 * 1024 * 1024,
  /** Key from which auth, wrap and storage subkeys are derived. */
  masterKeyBytes: 32,
  recoveryKeyBytes: 32,
  /** Checksum appended to a displayed recovery key: 35 bytes = 56 base32 chars. */
  recoveryChecksumBytes: 3,
} as const;

/** Sealed mail (CRYPTO.md "Direct messages"). */
export const SEALED_MAIL = {
  version: 1,
  padBlockBytes: 256,
  maxMsgIdBytes: 128,
  maxBodyBytes: 256 * 1024,
} as const;

/** Safety numbers: Signal's NumericFingerprintGenerator, displayable version 0. */
export const SAFETY_NUMBER = {
  iterations: 5200,
  /** Parley's QR payload version (libsignal's CombinedFingerprints layout). */
  scannableVersion: 1,
} as const;

/**
 * Blind-index namespaces of the history store (CRYPTO.md "History at rest").
 * Conversation ids are indexed bare, as the spec says; everything else gets a
 * prefix so an event id, a kv key and a conversation id that happen to be the
 * same string never share an index value.
 */
export const HISTORY_BLIND_INDEX = {
  eventId: 'parley/hist-event/v1:',
  kvKey: 'parley/hist-kv/v1:',
} as const;
