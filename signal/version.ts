/** The relay's own version (reported at hello and in /config). */
import pkg from '../package.json' with { type: 'json' };

export const RELAY_VERSION: string = `parley-relay/${pkg.version}`;
