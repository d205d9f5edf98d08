/** The Argon2id worker (built as /kdf-worker.js): password hashing off the page's thread. */
import {
  type MessagePortLike,
  serveKeyDerivation,
} from '../../core/account/key-derivation-worker.ts';

serveKeyDerivation(self as unknown as MessagePortLike);
