/**
 * Prometheus metrics (prom-client), off by default. When off every method is
 * a no-op, so the hot path pays one indirect call and nothing else, and
 * prom-client is not even loaded (it costs ~80 ms of start-up, TARGETS P8).
 */

export interface Metrics {
  readonly enabled: boolean;
  frameIn(kind: 'text' | 'binary'): void;
  delivered(count: number): void;
  dropped(reason: string): void;
  error(code: string): void;
  auth(result: 'ok' | 'fail'): void;
  mailboxStored(count: number): void;
  render(): Promise<string>;
  readonly contentType: string;
}

const NOOP: Metrics = {
  enabled: false,
  frameIn() {},
  delivered() {},
  dropped() {},
  error() {},
  auth() {},
  mailboxStored() {},
  render: async () => '',
  contentType: 'text/plain',
};

export async function createMetrics(enabled: boolean, sockets: () => number): Promise<Metrics> {
  if (!enabled) return NOOP;
  const { Counter, collectDefaultMetrics, Gauge, Registry } = await import('prom-client');
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'parley_' });
  const framesIn = new Counter({
    name: 'parley_frames_in_total',
    help: 'Frames received',
    labelNames: ['kind'],
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'parley_deliveries_total',
    help: 'Envelopes delivered to a socket',
    registers: [registry],
  });
  const drops = new Counter({
    name: 'parley_dropped_total',
    help: 'Envelopes not delivered',
    labelNames: ['reason'],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'parley_errors_total',
    help: 'Error replies by code',
    labelNames: ['code'],
    registers: [registry],
  });
  const auths = new Counter({
    name: 'parley_auth_total',
    help: 'Auth attempts',
    labelNames: ['result'],
    registers: [registry],
  });
  const mailbox = new Counter({
    name: 'parley_mailbox_stored_total',
    help: 'Mailbox items stored',
    registers: [registry],
  });
  new Gauge({
    name: 'parley_sockets',
    help: 'Open WebSocket connections',
    registers: [registry],
    collect() {
      this.set(sockets());
    },
  });
  return {
    enabled: true,
    frameIn: (kind) => framesIn.inc({ kind }),
    delivered: (n) => deliveries.inc(n),
    dropped: (reason) => drops.inc({ reason }),
    error: (code) => errors.inc({ code }),
    auth: (result) => auths.inc({ result }),
    mailboxStored: (n) => mailbox.inc(n),
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
