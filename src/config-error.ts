// The one error a bad configuration raises: its message is a single line naming the variable.
export class ConfigError extends Error {
  override name = 'ConfigError'
}
