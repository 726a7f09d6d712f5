// Generates openapi.yaml from the route schemas: `npm run openapi` writes it; a test fails when it drifts.
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { generateKeySetJson, loadKeySet } from '../src/tokens/key-set.js'

export const OPENAPI_PATH = fileURLToPath(new URL('../openapi.yaml', import.meta.url))

/** The document as YAML. Needs no Redis: the app boots without one (token routes would answer 503). */
export async function generateOpenApi (): Promise<string> {
  const config = loadConfig({ NODE_ENV: 'test', REDIS_URL: 'redis://127.0.0.1:1', REDIS_CONNECT_TIMEOUT_MS: '100', LOG_LEVEL: 'silent' })
  const keySet = loadKeySet(await generateKeySetJson('EdDSA'), 'EdDSA')
  const app = await buildApp({ config, keySet, refreshSecret: 'openapi-generation-only-0123456789', logger: false })
  try {
    await app.ready()
    return app.swagger({ yaml: true })
  } finally {
    await app.close()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(OPENAPI_PATH, await generateOpenApi())
  console.log(`wrote ${OPENAPI_PATH}`)
}
