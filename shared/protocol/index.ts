/** The relay wire protocol: one import for the relay and the client engine. */
export * from './client-messages.ts';
export * from './envelope.ts';
export * from './errors.ts';
export * from './fields.ts';
export * from './parse.ts';
export * from './relay-messages.ts';
export * from './version.ts';
