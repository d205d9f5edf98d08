/**
 * Turning a source into a signed-offer-ready FileOffer: the size checked
 * against the relay owner's limit first (a clear error before any work),
 * then one streaming pass for the hash the receiver will verify against.
 */
import { toB64 } from '../../../shared/crypto/encoding.ts';
import {
  encodeFileOffer,
  FileHasher,
  type FileOffer,
  makeFileOffer,
} from '../../../shared/crypto/files.ts';
import { FileTransferError } from './file-errors.ts';
import type { FileHost } from './file-host.ts';
import type { FileSource } from './file-io.ts';

/** The hash pass reads this much at a time. */
const HASH_READ_BYTES = 1024 * 1024;

export async function hashSource(source: FileSource): Promise<Uint8Array> {
  const hasher = new FileHasher();
  for (let at = 0; at < source.size; at += HASH_READ_BYTES) {
    const length = Math.min(HASH_READ_BYTES, source.size - at);
    let bytes: Uint8Array;
    try {
      bytes = await source.read(at, length);
    } catch (error) {
      hasher.digest();
      throw new FileTransferError(
        'FILE_SOURCE_READ',
        error instanceof Error ? error.message : undefined,
      );
    }
    if (bytes.length !== length) {
      hasher.digest();
      throw new FileTransferError('FILE_SOURCE_READ', 'short read');
    }
    hasher.update(bytes);
  }
  return hasher.digest();
}

export async function prepareOffer(
  source: FileSource,
  host: FileHost,
): Promise<{ encodedOffer: FileOffer; b64: string }> {
  const limit = await host.maxFileBytes();
  if (limit !== null && source.size > limit) {
    throw new FileTransferError('FILE_TOO_LARGE', `${source.size} > ${limit} bytes`);
  }
  const hash = await hashSource(source);
  const made = makeFileOffer({
    name: source.name,
    mime: source.mime,
    size: source.size,
    chunkSize: host.settings.chunkBytes,
    hash,
  });
  if (!made.ok) throw new FileTransferError(made.code);
  const encoded = encodeFileOffer(made.value);
  if (!encoded.ok) throw new FileTransferError(encoded.code);
  return { encodedOffer: made.value, b64: toB64(encoded.value) };
}
