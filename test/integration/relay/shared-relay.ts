/**
 * The setup most relay test files share: one relay for the whole file, and
 * `user()` for a freshly registered device that is closed after its test;
 * after each test the relay must not have sent anything outside its schema.
 * Kept out of harness.ts because bench scripts import the harness outside
 * vitest, where these hooks cannot be registered.
 */
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import {
  type ConnectedDevice,
  connectDevice,
  relaySchemaErrors,
  startTestRelay,
  type TestRelay,
} from './harness.ts';

export interface SharedRelay {
  /** The file's relay; started in beforeAll, so read it inside a test. */
  readonly relay: TestRelay;
  /** A newly registered device, closed after the test. */
  user(): Promise<ConnectedDevice>;
  /** Closes a device connected some other way (login, device.add) after the test. */
  closeAfterTest(device: ConnectedDevice): ConnectedDevice;
}

/** Registers the hooks in the calling test file; call once at its top level. */
export function sharedRelay(): SharedRelay {
  let relay: TestRelay | undefined;
  const open: ConnectedDevice[] = [];
  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay?.destroy();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((d) => d.client.close()));
    expect(relaySchemaErrors()).toEqual([]);
  });
  const shared: SharedRelay = {
    get relay() {
      if (!relay) throw new Error('the shared relay starts in beforeAll');
      return relay;
    },
    async user() {
      return shared.closeAfterTest(await connectDevice(shared.relay));
    },
    closeAfterTest(device) {
      open.push(device);
      return device;
    },
  };
  return shared;
}
