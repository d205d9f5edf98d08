/** True when `needle` occurs anywhere in `haystack` (canary searches in files and stores). */
export function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).includes(
    Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength),
  );
}
