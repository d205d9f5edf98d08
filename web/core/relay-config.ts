/**
 * What the engine reads from the relay's public `/config`: ICE servers
 * (with time-limited TURN credentials when the relay has TURN) and the
 * limits its owner set. A relay that cannot answer yields defaults, never
 * an error: both are advisory to the client.
 */

async function readConfig(relayUrl: string): Promise<Record<string, unknown> | null> {
  const url = new URL('/config', relayUrl.replace(/^ws/, 'http'));
  try {
    const response = await fetch(url);
    const config: unknown = await response.json();
    return typeof config === 'object' && config !== null
      ? (config as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

export async function fetchIceServers(relayUrl: string): Promise<RTCIceServer[]> {
  const config = await readConfig(relayUrl);
  return Array.isArray(config?.iceServers) ? (config.iceServers as RTCIceServer[]) : [];
}

/** The relay owner's max file size in bytes, or null when the relay does not say. */
export async function fetchMaxFileBytes(relayUrl: string): Promise<number | null> {
  const limits = (await readConfig(relayUrl))?.limits;
  if (typeof limits !== 'object' || limits === null) return null;
  const max = (limits as Record<string, unknown>).maxFileBytes;
  return typeof max === 'number' && Number.isSafeInteger(max) && max >= 0 ? max : null;
}
