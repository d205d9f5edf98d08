/**
 * `npm test` needs two Debian packages besides npm's: Chromium for the
 * browser tests and coturn for the TURN tests (both started by the tests
 * themselves). When one is missing, root installs it from apt (Playwright's
 * own browser download is not reachable here and is never used); anyone else
 * is told the one command to run. Nothing is skipped for lack of them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromiumPath } from './chromium.ts';
import { turnserverPath } from './coturn.ts';

const needed = [
  { pkg: 'chromium', path: chromiumPath },
  { pkg: 'coturn', path: turnserverPath },
].filter((n) => !existsSync(n.path));

if (needed.length > 0) {
  const pkgs = needed.map((n) => n.pkg);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    console.error(
      `Missing for the tests: ${needed.map((n) => n.path).join(', ')}. Install with:\n  sudo apt-get install -y ${pkgs.join(' ')}`,
    );
    process.exit(1);
  }
  console.log(`Installing the Debian packages the tests need: ${pkgs.join(' ')}…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: 'inherit', env });
  const still = needed.filter((n) => !existsSync(n.path));
  if (still.length > 0) {
    console.error(`apt-get finished but ${still.map((n) => n.path).join(', ')} is still missing.`);
    process.exit(1);
  }
}
