/**
 * Parsing text frames into typed messages, for the relay and the client
 * engine alike. Never throws: a bad frame becomes `{ok:false, code}` with the
 * request's `ref` when one could be read, so the error can be matched.
 */
import * as v from 'valibot';
import { type ClientMessage, ClientMessageSchemas } from './client-messages.ts';
import type { ErrorCode } from './errors.ts';
import { LIMITS } from './fields.ts';
import { type RelayMessage, RelayMessageSchemas } from './relay-messages.ts';

export type ParseResult<M> =
  | { ok: true; msg: M }
  | { ok: false; code: ErrorCode; message: string; ref?: string };

type SchemaTable = Record<string, v.GenericSchema>;

function refOf(value: Record<string, unknown>): string | undefined {
  const ref = value.ref;
  return typeof ref === 'string' && ref.length > 0 && ref.length <= LIMITS.refMaxChars
    ? ref
    : undefined;
}

/**
 * A short, safe description of the first issue: the path and the check that
 * failed, never a value from the input (it may be secret). A key the schema
 * does not know is reported as "unknown key", not by name, since the name
 * is input too.
 */
function describe(issue: v.BaseIssue<unknown>): string {
  const keys = issue.path?.map((p) => (typeof p.key === 'number' ? String(p.key) : p.key)) ?? [];
  if (issue.type === 'strict_object' && keys.length > 0) {
    return `${keys.slice(0, -1).join('.') || 'message'}: unknown key`.slice(0, 200);
  }
  const path = keys.map((k) => (typeof k === 'string' && /^[A-Za-z0-9]{1,32}$/.test(k) ? k : '?'));
  return `${path.join('.') || 'message'}: ${issue.kind} ${issue.type}`.slice(0, 200);
}

function parseWith<M>(table: SchemaTable, input: unknown): ParseResult<M> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, code: 'SCHEMA', message: 'a message is a JSON object' };
  }
  const obj = input as Record<string, unknown>;
  const ref = refOf(obj);
  const t = obj.t;
  if (typeof t !== 'string' || !Object.hasOwn(table, t)) {
    const fail = { ok: false as const, code: 'UNKNOWN_TYPE' as const, message: 'unknown type t' };
    return ref === undefined ? fail : { ...fail, ref };
  }
  const result = v.safeParse(table[t]!, obj, { abortEarly: true });
  if (result.success) return { ok: true, msg: result.output as M };
  const fail = { ok: false as const, code: 'SCHEMA' as const, message: describe(result.issues[0]) };
  return ref === undefined ? fail : { ...fail, ref };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Validate an already-decoded value as a client message. */
export function validateClientMessage(value: unknown): ParseResult<ClientMessage> {
  return parseWith<ClientMessage>(ClientMessageSchemas, value);
}

export function validateRelayMessage(value: unknown): ParseResult<RelayMessage> {
  return parseWith<RelayMessage>(RelayMessageSchemas, value);
}

export function parseClientMessage(text: string): ParseResult<ClientMessage> {
  const json = parseJson(text);
  if (!json.ok) return { ok: false, code: 'BAD_JSON', message: 'not valid JSON' };
  return validateClientMessage(json.value);
}

export function parseRelayMessage(text: string): ParseResult<RelayMessage> {
  const json = parseJson(text);
  if (!json.ok) return { ok: false, code: 'BAD_JSON', message: 'not valid JSON' };
  return validateRelayMessage(json.value);
}
