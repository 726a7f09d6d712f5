// Baselines process, pinned to the server's core: each raw figure a scenario is compared against is measured here,
// in the same run, on the same core the app instances use.
import { serveTasks } from './child.js'
import { rawArgon2Rate } from './baseline-argon2.js'
import { compareVerifiers, rawSignRate, rawVerifyRate } from './baseline-crypto.js'
import { rawEvalshaRate } from './baseline-redis.js'

serveTasks({
  'raw-verify': rawVerifyRate,
  'raw-sign': rawSignRate,
  verifiers: compareVerifiers,
  evalsha: rawEvalshaRate,
  argon2: rawArgon2Rate
})
