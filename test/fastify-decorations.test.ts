// Rotor's Fastify types declare what Rotor decorates, nothing else: the hook type is shared with @rotor/verify through
// its types-only module, so the package plugin's decorations (app.rotorVerifier, request.authDegraded), which Rotor
// never sets, do not appear on Rotor's FastifyInstance and FastifyRequest. Types: checked by `npm run check` (this
// file is in the same program as src); values: on a built app.
import t from 'tap'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { buildTestApp } from './helper.js'

type Declares<T, K extends PropertyKey> = K extends keyof T ? true : false

// Fails to compile if a module of the program augments Fastify with the package plugin's decorations.
const typed: Record<'rotorVerifier' | 'authDegraded' | 'authenticate' | 'auth', boolean> = {
  rotorVerifier: false satisfies Declares<FastifyInstance, 'rotorVerifier'>,
  authDegraded: false satisfies Declares<FastifyRequest, 'authDegraded'>,
  authenticate: true satisfies Declares<FastifyInstance, 'authenticate'>,
  auth: true satisfies Declares<FastifyRequest, 'auth'>
}

t.test('the app has exactly the decorations its types declare, none of the verifier plugin\'s', async (t) => {
  const app = await buildTestApp(t)
  const actual = {
    rotorVerifier: app.hasDecorator('rotorVerifier'),
    authDegraded: app.hasRequestDecorator('authDegraded'),
    authenticate: app.hasDecorator('authenticate'),
    auth: app.hasRequestDecorator('auth')
  }
  t.same(actual, typed)
})
