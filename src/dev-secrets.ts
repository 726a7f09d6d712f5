// Signing keys and the refresh-token secret. From configuration in production (refusing to start without them);
// outside production, generated once into a git-ignored folder with a loud warning, so restarts keep sessions.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError, type Config } from './config.js'
import { generateKeySetJson, KeySetError, loadKeySet, type KeySet } from './tokens/key-set.js'

type Warn = (message: string) => void

export async function resolveKeySet (config: Config, stateDir: string, warn: Warn): Promise<KeySet> {
  const { keys, keysFile, alg } = config.jwt
  let json: string
  let source: string
  if (keys !== undefined) {
    json = keys; source = 'JWT_KEYS'
  } else if (keysFile !== undefined) {
    try { json = readFileSync(keysFile, 'utf8') } catch { throw new ConfigError(`Invalid configuration: JWT_KEYS_FILE cannot be read (${keysFile})`) }
    source = 'JWT_KEYS_FILE'
  } else {
    if (config.env === 'production') throw new ConfigError('Invalid configuration: JWT_KEYS or JWT_KEYS_FILE is required in production (generate one with `npm run keys:generate`)')
    const file = join(stateDir, `dev-jwks-${alg}.json`)
    if (!existsSync(file)) writeSecretFile(stateDir, file, await generateKeySetJson(alg))
    warn(`DEVELOPMENT SIGNING KEYS in use (${file}); set JWT_KEYS or JWT_KEYS_FILE before any real deployment`)
    json = readFileSync(file, 'utf8'); source = file
  }
  try {
    return loadKeySet(json, alg, config.jwt.signingKid)
  } catch (err) {
    if (err instanceof KeySetError) throw new ConfigError(`Invalid configuration: ${source} ${err.message}`)
    throw err
  }
}

export function resolveRefreshSecret (config: Config, stateDir: string, warn: Warn): string {
  if (config.refresh.secret !== undefined) return config.refresh.secret
  if (config.env === 'production') throw new ConfigError('Invalid configuration: REFRESH_TOKEN_SECRET (at least 32 characters) is required in production')
  const file = join(stateDir, 'dev-refresh-secret')
  if (!existsSync(file)) writeSecretFile(stateDir, file, randomBytes(32).toString('base64url'))
  warn(`DEVELOPMENT REFRESH_TOKEN_SECRET in use (${file}); set REFRESH_TOKEN_SECRET before any real deployment`)
  return readFileSync(file, 'utf8').trim()
}

function writeSecretFile (dir: string, file: string, content: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  writeFileSync(file, content, { mode: 0o600, flag: 'wx' })
}
