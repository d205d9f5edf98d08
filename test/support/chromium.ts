/**
 * Where the Debian Chromium lives and how every test launches it. Flags from
 * FINDINGS.md: without the background-networking ones Chromium tries to reach
 * Google's hosts, which this network refuses; QUIC is off for the same reason.
 */
export const chromiumPath = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
];
