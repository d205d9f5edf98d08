/**
 * The relay CLI: `node dist/relay.mjs [options]` (see --help). Parses config
 * (flags > env > defaults), starts, and drains on SIGTERM/SIGINT: sockets
 * close with 1001, the store is flushed, and the process exits within the
 * drain limit — forced after HARD_EXIT_MS whatever happens.
 */
import { ConfigError, helpText, loadConfig } from './config.ts';
import { startRelay } from './server.ts';

const HARD_EXIT_MS = 10_000;

async function main(): Promise<void> {
  let parsed: ReturnType<typeof loadConfig>;
  try {
    parsed = loadConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`parley relay: ${err.message}\n\n${helpText()}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (parsed.help) {
    process.stdout.write(`${helpText()}\n`);
    return;
  }
  const relay = await startRelay(parsed.config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    relay.ctx.log.info({ signal }, 'draining');
    setTimeout(() => process.exit(1), HARD_EXIT_MS).unref();
    relay.close().then(
      () => process.exit(0),
      (err: unknown) => {
        relay.ctx.log.error({ err }, 'drain failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`parley relay failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
