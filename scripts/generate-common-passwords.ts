// One-off: writes data/common-passwords.txt from the frequency-ordered password dictionary of @zxcvbn-ts/language-common
// (MIT; see data/README.md). Run `npx tsx scripts/generate-common-passwords.ts` after upgrading that package.
// Only entries the length rule would admit (PASSWORD_MIN_BYTES to PASSWORD_MAX_BYTES) are kept: shorter ones are
// refused anyway, so they would only cost memory. Order and spelling are kept; the service compares case-insensitively.
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dictionary } from '@zxcvbn-ts/language-common'
import { passwordLengthOk } from '../src/users/passwords.js'

const COMMON_PASSWORDS_PATH = fileURLToPath(new URL('../data/common-passwords.txt', import.meta.url))

const entries = dictionary['passwords-common'].filter((p) => passwordLengthOk(p) && !/[\r\n]/.test(p))
writeFileSync(COMMON_PASSWORDS_PATH, entries.join('\n') + '\n')
console.log(`wrote ${entries.length} passwords to ${COMMON_PASSWORDS_PATH}`)
