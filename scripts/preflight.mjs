// `npm test` runs this first (pretest): the suite starts real redis-server, redis-cli (Cluster setup), HAProxy and
// chromium (the client package's browser tests) processes, and needs a Node our engines field accepts. Anything missing fails here, in one line that says what to
// install, rather than as hundreds of failures further down.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import semver from 'semver'

const TOOLS = [['redis-server', '--version'], ['redis-cli', '--version'], ['haproxy', '-v']]
const missing = TOOLS.filter(([cmd, flag]) => spawnSync(cmd, [flag], { stdio: 'ignore' }).status !== 0).map(([cmd]) => cmd)
// The browser tests take CHROMIUM_PATH, else the first of these names on PATH (packages/client/test/browser.ts).
const browsers = ['chromium', 'chromium-browser', 'google-chrome']
const browser = process.env.CHROMIUM_PATH || browsers.find((cmd) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0)
if (!browser) missing.push('chromium')
const { engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const problems = []
if (!semver.satisfies(process.versions.node, engines.node)) problems.push(`Node ${engines.node} (this is ${process.version})`)
if (missing.length > 0) {
  problems.push(`${missing.join(', ')} on PATH: apt-get install redis-server haproxy chromium (Debian/Ubuntu; haproxy goes to ` +
    '/usr/sbin, which must be on PATH), or brew install redis haproxy and a Chromium (or set CHROMIUM_PATH)')
}
if (problems.length > 0) {
  console.error(`npm test needs ${problems.join('; and ')}`)
  process.exit(1)
}
