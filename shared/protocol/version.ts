/**
 * The wire protocol version, exchanged at hello. The single source is
 * `shared/crypto/constants.ts` (domain strings and the protocol move together).
 */
export { PROTOCOL_VERSION } from '../crypto/constants.ts';
