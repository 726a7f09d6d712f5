// Shared by the configuration tests: the message of the ConfigError a bad environment must raise.
import { ConfigError, loadConfig } from '../src/config.js'

type Check = { ok: (value: unknown, message: string) => unknown, fail: (message: string) => unknown }

export function configError (t: Check, env: Record<string, string>): string {
  try {
    loadConfig(env)
  } catch (err) {
    t.ok(err instanceof ConfigError, 'throws ConfigError')
    return (err as Error).message
  }
  t.fail(`accepted ${JSON.stringify(env)}`)
  return ''
}
