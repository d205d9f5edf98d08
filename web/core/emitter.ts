/**
 * A minimal typed event emitter for the engine's stateful parts (transports,
 * links, the relay client). Event maps name each event's argument tuple:
 * `Emitter<{ message: [Uint8Array]; close: [reason: string] }>`.
 * A throwing listener is reported, never allowed to break the emitter's caller.
 */
export type EventMap = Record<string, unknown[]>;
type Listener<Args extends unknown[]> = (...args: Args) => void;
type AnyListener = (...args: unknown[]) => void;

/** The subscribe-only face of an emitter, for interfaces (readers cannot emit). */
export interface Listenable<Events extends EventMap> {
  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void;
  once<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void;
}

export class Emitter<Events extends EventMap> implements Listenable<Events> {
  readonly #listeners = new Map<keyof Events, Set<AnyListener>>();

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(name);
    if (!set) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    const stored = listener as unknown as AnyListener;
    set.add(stored);
    return () => set.delete(stored);
  }

  once<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(name, (...args) => {
      off();
      listener(...args);
    });
    return off;
  }

  emit<K extends keyof Events>(name: K, ...args: Events[K]): void {
    const set = this.#listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
