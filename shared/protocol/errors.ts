/**
 * Every stable error code the relay can send, with what it means. Clients map
 * codes to words in every language; the `message` beside a code is for logs
 * and developers only. Add codes here and nowhere else; never rename one.
 */
export const ERROR_CODES = {
  BAD_JSON: 'A text frame was not valid JSON.',
  BAD_FRAME: 'A binary frame was not a valid envelope, or a frame had the wrong type.',
  SCHEMA: 'A message did not match its schema (missing, extra or malformed fields).',
  UNKNOWN_TYPE: 'The message type `t` is not one the relay knows.',
  FRAME_TOO_LARGE: 'A control message was larger than the relay accepts.',
  VERSION_MISMATCH: 'The client speaks a protocol version the relay does not.',
  HELLO_REQUIRED: 'The first message on a socket must be hello.',
  NOT_AUTHED: 'This request needs a logged-in socket.',
  ALREADY_AUTHED: 'The socket is already logged in.',
  AUTH_FAILED: 'A signature, certificate or key did not verify.',
  AUTH_TIMEOUT: 'The socket did not log in within the auth deadline.',
  CHALLENGE_UNKNOWN: 'The challenge was never issued, or was already used.',
  CHALLENGE_EXPIRED: 'The challenge is older than its time to live.',
  CHALLENGE_SKEW: 'The challenge timestamp is too far from the relay clock.',
  BAD_CERT: 'The device certificate is malformed or its signature is wrong.',
  BAD_PREKEY: 'The signed prekey is malformed or not signed by the device key.',
  USERNAME_TAKEN: 'That username is registered already (case does not matter).',
  IDENTITY_TAKEN: 'That identity key or device key is registered already.',
  UNKNOWN_USER: 'No such user.',
  UNKNOWN_DEVICE: 'No such device for that identity.',
  DEVICE_LIMIT: 'The user has the maximum number of devices.',
  RATE_LIMITED: 'Too many requests; try again later.',
  FORBIDDEN: 'The socket may not do this (not a co-member, not allowed, wrong role).',
  ROOM_NOT_FOUND: 'No such room.',
  ROOM_FULL: 'The room has the maximum number of members.',
  ROOM_LIMIT: 'The user owns the maximum number of rooms.',
  BANNED: 'The user is banned from this room.',
  INVITE_INVALID: 'The invite code is wrong, revoked, or missing for a private room.',
  NOT_MEMBER: 'The user is not a member of this room.',
  ALREADY_MEMBER: 'The user is a member of this room already.',
  OWNER_CANNOT_LEAVE: 'The owner cannot leave a room; delete it instead.',
  NOT_ONLINE: 'The target device is not connected.',
  RECIPIENT_SLOW: 'The recipient is not reading; the frame was dropped for it.',
  MAILBOX_FULL: "The recipient's mailbox quota is used up.",
  TOO_MANY_CONNECTIONS: 'Too many sockets (total, per address or per identity).',
  REPLACED: 'The same device logged in on another socket.',
  SHUTTING_DOWN: 'The relay is draining for shutdown.',
  INTERNAL: 'The relay failed; the request may be retried.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/**
 * WebSocket close codes the relay uses. 1008 (policy) for abuse and auth
 * failures, 1009 for an oversize frame (sent by `ws` itself), 1001 on drain;
 * 4000–4999 are ours.
 */
export const CLOSE_CODES = {
  goingAway: 1001,
  policyViolation: 1008,
  messageTooBig: 1009,
  versionMismatch: 4000,
  replaced: 4001,
  tooManyConnections: 4003,
} as const;
