/**
 * Preloaded (`--import`) into every server a benchmark starts:
 * - the server exits when the benchmark does: its stdin is a pipe from the
 *   benchmark, and EOF means the parent is gone (even after a SIGKILL), so a
 *   crashed run never leaves servers holding ports and memory;
 * - with BENCH_LOOPBACK_ONLY=1, `listen(port)` without a host binds
 *   127.0.0.1 (the y-webrtc signalling server listens on every interface
 *   and has no option to say otherwise).
 */
import net from 'node:net';

process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

if (process.env.BENCH_LOOPBACK_ONLY === '1') {
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function loopbackListen(...args) {
    const [port, second] = args;
    const portOnly = typeof port === 'number' || (typeof port === 'string' && /^\d+$/.test(port));
    if (portOnly && (second === undefined || typeof second === 'function')) {
      return listen.call(this, Number(port), '127.0.0.1', ...args.slice(1));
    }
    return listen.apply(this, args);
  };
}
