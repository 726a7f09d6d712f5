// How often this instance had to verify an access token in full rather than answer it from its verified-token
// cache: the cold-verify ratio, rate(..{path="full"}) / rate(..), is what balancer affinity (deploy/haproxy.cfg,
// a session's requests to one instance) lowers. A cold verification is correct, only slower (a signature check).
import { Counter, type Registry } from 'prom-client'
import type { AccessTokens } from '../tokens/access-token.js'

export function instrumentTokenCache (accessTokens: Pick<AccessTokens, 'verifications'>, registry: Registry): void {
  new Counter({
    name: 'rotor_access_token_verifications_total',
    help: 'Access-token verifications by path: cache (a token this instance verified before) or full (signature checked)',
    labelNames: ['path'],
    registers: [registry],
    collect () {
      // Counted on the hot path as plain integers; copied here, at scrape time.
      const { cached, full } = accessTokens.verifications()
      this.reset()
      this.inc({ path: 'cache' }, cached)
      this.inc({ path: 'full' }, full)
    }
  })
}
