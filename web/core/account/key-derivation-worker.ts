/**
 * Argon2id off the UI thread. Two halves of one small protocol:
 *
 * - `serveKeyDerivation(scope)` runs inside a dedicated Web Worker (the
 *   app's worker entry is one line: `serveKeyDerivation(self)`), derives with
 *   `derivePasswordKeysAsync` and transfers the three keys back;
 * - `workerKeyDerivation(worker)` is the `KeyDerivation` the app passes as
 *   `kdf.derive`: it posts the request and resolves with the worker's Result.
 *
 * The password bytes are copied into the transfer, so the caller's copy can
 * be wiped as usual; the worker wipes its copy when done.
 */
import {
  derivePasswordKeysAsync,
  type PasswordKdfBounds,
  type PasswordKdfError,
  type PasswordKdfParams,
  type PasswordKeys,
} from '../../../shared/crypto/password.ts';
import type { Result } from '../../../shared/crypto/result.ts';
import { sodium } from '../../../shared/crypto/sodium.ts';
import type { KeyDerivation } from './key-derivation.ts';

interface DeriveRequest {
  id: number;
  password: Uint8Array;
  salt: Uint8Array;
  params: PasswordKdfParams;
  bounds: PasswordKdfBounds;
}

interface DeriveReply {
  id: number;
  result: Result<PasswordKeys, PasswordKdfError>;
}

/** The parts of a Worker / DedicatedWorkerGlobalScope this protocol uses. */
export interface MessagePortLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

export function serveKeyDerivation(scope: MessagePortLike): void {
  scope.addEventListener('message', (event: MessageEvent) => {
    const req = event.data as DeriveRequest;
    void derivePasswordKeysAsync(req.password, req.salt, req.params, req.bounds)
      .catch((): Result<PasswordKeys, PasswordKdfError> => ({ ok: false, code: 'KDF_FAILED' }))
      .then((result) => {
        sodium().memzero(req.password);
        const transfer = result.ok
          ? [
              result.value.authSeed.buffer,
              result.value.idWrapKey.buffer,
              result.value.storageKey.buffer,
            ]
          : [];
        const reply: DeriveReply = { id: req.id, result };
        scope.postMessage(reply, transfer as Transferable[]);
      });
  });
}

export function workerKeyDerivation(worker: MessagePortLike): KeyDerivation {
  let nextId = 1;
  const waiting = new Map<number, (r: Result<PasswordKeys, PasswordKdfError>) => void>();
  worker.addEventListener('message', (event: MessageEvent) => {
    const reply = event.data as DeriveReply;
    const resolve = waiting.get(reply.id);
    if (!resolve) return;
    waiting.delete(reply.id);
    resolve(reply.result);
  });
  return (password, salt, params, bounds) =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      const copy = password.slice();
      const req: DeriveRequest = { id, password: copy, salt: salt.slice(), params, bounds };
      worker.postMessage(req, [copy.buffer as ArrayBuffer]);
    });
}
