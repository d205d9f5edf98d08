import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { chromiumArgs, chromiumPath } from './test/support/chromium.ts';

// Native WebRTC (node-datachannel) and better-sqlite3 need the `forks` pool:
// under `threads` native stacks segfault (FINDINGS.md).
export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // Browser-only files (real RTCPeerConnection etc.) run in the chromium project.
          exclude: ['**/*.browser.test.ts'],
          pool: 'forks',
        },
      },
      {
        // The isomorphic code's unit suite again, inside real Chromium, so
        // "runs in the browser" is proven rather than assumed.
        test: {
          name: 'chromium',
          include: ['test/unit/shared/**/*.test.ts'],
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          pool: 'forks',
          // Files one at a time: each starts real relays, WebRTC meshes and
          // Chromium; two cores shared by several of them starve ICE checks
          // and timers, and that is flakiness, not signal.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          pool: 'forks',
          // Each file starts its own relay and Chromium with several WebRTC peers;
          // running them side by side on a small box starves ICE and Argon2id.
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
