// The example's only file that reads env and listens. ROTOR_ISSUER (Rotor's JWT_ISSUER), ROTOR_AUDIENCE (optional:
// the metadata's rotor_audience otherwise), ROTOR_FEED_CREDENTIAL (one of Rotor's REVOCATION_FEED_CREDENTIALS),
// ROTOR_METADATA_URL (optional), PORT (default 4000), HOST (default 127.0.0.1).
import { buildResourceServer } from './app.js'

const env = process.env
if (env.ROTOR_ISSUER === undefined) {
  console.error('ROTOR_ISSUER is required: the issuer URL Rotor signs with (its JWT_ISSUER)')
  process.exit(1)
}
const app = await buildResourceServer({
  issuer: env.ROTOR_ISSUER,
  ...(env.ROTOR_AUDIENCE !== undefined ? { audience: env.ROTOR_AUDIENCE } : {}),
  ...(env.ROTOR_METADATA_URL !== undefined ? { metadataUrl: env.ROTOR_METADATA_URL } : {}),
  feed: env.ROTOR_FEED_CREDENTIAL !== undefined ? { credential: env.ROTOR_FEED_CREDENTIAL } : {}
}, true)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => { void app.close().then(() => process.exit(0)) })
}
const address = await app.listen({ host: env.HOST ?? '127.0.0.1', port: Number(env.PORT ?? 4000) })
app.log.info(`resource server on ${address}`)
