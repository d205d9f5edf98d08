/** The worker entry account-browser.test.ts bundles: Argon2id off the page's thread. */
import { type MessagePortLike, serveKeyDerivation } from '../../../web/core/account/index.ts';

serveKeyDerivation(self as unknown as MessagePortLike);
