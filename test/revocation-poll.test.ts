// GET /revocations: the revocation feed as JSON pages for pollers. Without a position, a paged snapshot whose last
// page gives the position; from a position, the events after it, paged; a bad position is a 400.
import t from 'tap'
import { bearer, json, registerAndLogin } from './helper.js'
import { FEED_AUTH, eventually, feedApps } from './feed-helper.js'
import { scrape, valueOf } from './metrics-scrape.js'

type Page = { events: Array<Record<string, unknown>>, next: string, snapshot: boolean, more: boolean }

t.test('pages the snapshot, then the events after its position', async (t) => {
  const [a, b] = await feedApps(t, 2)
  const poll = async (query: string): Promise<Page> => {
    const res = await b!.app.inject({ url: `/revocations${query}`, headers: FEED_AUTH })
    t.equal(res.statusCode, 200, query)
    t.equal(res.headers['cache-control'], 'no-store')
    return json<Page>(res)
  }
  const users = [await registerAndLogin(a!.app), await registerAndLogin(a!.app), await registerAndLogin(a!.app)]
  for (const user of users) await a!.app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(user.accessToken) })
  await eventually(() => b!.app.revocations.list.size().families === 3, 'instance B heard them')

  const seen: Array<Record<string, unknown>> = []
  let page = await poll('?limit=2')
  t.equal(page.snapshot, true, 'no position: a snapshot')
  for (let i = 0; page.more && i < 10; i++) {
    t.equal(page.events.length, 2, 'a full page while more follow')
    seen.push(...page.events)
    page = await poll(`?limit=2&after=${encodeURIComponent(page.next)}`)
  }
  seen.push(...page.events)
  t.equal(page.snapshot, true)
  t.same(seen.map((e) => e.sessionId).sort(), users.map((u) => u.sessionId).sort(), 'every entry once across the pages')
  t.match(page.next, /^[0-9]+-[0-9]+$/, 'the last page gives the position to poll from')

  const { samples } = await scrape(b!.app)
  t.equal(valueOf(samples, 'rotor_revocation_feed_snapshots_total', { transport: 'poll' }), 1, 'one snapshot, however many pages')
  const quiet = await poll(`?after=${page.next}`)
  t.same(quiet, { events: [], next: page.next, snapshot: false, more: false }, 'nothing new: the same position')

  const later = [await registerAndLogin(a!.app), await registerAndLogin(a!.app), await registerAndLogin(a!.app)]
  for (const user of later) await a!.app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(user.accessToken) })
  await eventually(() => b!.app.revocations.list.size().families === 6, 'instance B heard them')
  const first = await poll(`?after=${page.next}&limit=2`)
  t.match(first, { snapshot: false, more: true })
  const second = await poll(`?after=${first.next}&limit=2`)
  t.match(second, { snapshot: false, more: false })
  const events = [...first.events, ...second.events]
  t.same(events.map((e) => e.sessionId), later.map((u) => u.sessionId), 'the events after the position, in order')
  for (const e of events) t.match(e, { id: /^[0-9]+-[0-9]+$/, kind: 'session', reason: 'logout' })
  t.equal(second.next, second.events.at(-1)!.id)
})

t.test('rejects a malformed after or limit with 400; an unknown old or future id gets a snapshot', async (t) => {
  const [feed] = await feedApps(t, 1)
  for (const query of ['?after=abc', '?after=1-2-3', '?after=s.1-0.%25%25', '?limit=0', '?limit=1001', '?limit=x', '?other=1']) {
    const res = await feed!.app.inject({ url: `/revocations${query}`, headers: FEED_AUTH })
    t.equal(res.statusCode, 400, query)
    t.match(json(res), { error: 'invalid_request' })
  }
  const future = json<Page>(await feed!.app.inject({ url: '/revocations?after=99999999999999-0', headers: FEED_AUTH }))
  t.equal(future.snapshot, true, 'newer than anything here: complete state')
})
