// The smallest SPA on @rotor/client, with the refresh token in Rotor's HttpOnly cookie. The browser tests drive it;
// `?rotor=` names Rotor's URL and the other parameters tune the client for them.
import { createRotorClient } from '@rotor/client'

const params = new URLSearchParams(location.search)
const number = (name) => (params.has(name) ? Number(params.get(name)) : undefined)
const rotorUrl = params.get('rotor') ?? location.origin

const client = createRotorClient({
  baseUrl: rotorUrl,
  delivery: 'cookie',
  lockTimeoutMs: number('lockTimeoutMs'),
  requestTimeoutMs: number('requestTimeoutMs'),
  refreshAheadSeconds: number('refreshAheadSeconds')
})

const status = document.querySelector('#status')
const events = []
for (const name of ['signedIn', 'tokenRefreshed', 'signedOut', 'refreshDeferred', 'refreshScheduled']) {
  client.on(name, (event) => {
    events.push({ type: name, ...event })
    if (name === 'signedIn') status.textContent = 'signed in'
    if (name === 'signedOut') status.textContent = `signed out (${event.reason})`
  })
}

document.querySelector('#login').addEventListener('submit', async (event) => {
  event.preventDefault()
  const form = new FormData(event.target)
  await client.login(String(form.get('email')), String(form.get('password')))
})
document.querySelector('#me').addEventListener('click', async () => {
  const me = await client.fetch(`${rotorUrl}/me`)
  status.textContent = JSON.stringify(await me.json())
})
document.querySelector('#logout').addEventListener('click', () => client.logout())

// For the tests: the client and what it reported.
window.rotorTab = { client, events, rotorUrl }
