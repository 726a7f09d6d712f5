// Where body delivery keeps the refresh token (mobile keychains, secure stores, a file in Node). The client reads the
// token from here before every rotation and writes the successor here before anything uses it, so what the store
// holds is always a token the server accepts: the current one, or (after a crash between Rotor's answer and the
// write) its predecessor, which Rotor answers inside its grace window with that same successor again.

/** An async key-value store, shaped like React Native's AsyncStorage and Expo's SecureStore. */
export interface TokenStorage {
  get (key: string): Promise<string | null | undefined>
  /** Resolves once the value is durable: the client uses a new refresh token only after this resolves. */
  set (key: string, value: string): Promise<void>
  remove (key: string): Promise<void>
}

/** The key the refresh token is stored under. */
export const REFRESH_TOKEN_KEY = 'rotor.refresh_token'

/** A store in memory: a session lasts as long as the process (the default for body delivery). */
export function memoryStorage (): TokenStorage {
  const values = new Map<string, string>()
  return {
    get: async (key) => values.get(key),
    set: async (key, value) => { values.set(key, value) },
    remove: async (key) => { values.delete(key) }
  }
}
