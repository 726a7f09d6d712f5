// What Rotor serves, collected from the routes as they are registered (onRoute), so that a new route needs no list
// updated by hand: the methods CORS allows, and the Allow header of a 405 (RFC 9110 §15.5.6, §10.2.1).
// Matched with find-my-way, the router Fastify itself uses, so a path means here what it means to Fastify.
import fp from 'fastify-plugin'
import FindMyWay, { type HTTPMethod } from 'find-my-way'

export interface RouteTable {
  /** Every method some route serves, sorted; filled while routes register, complete before the first request. */
  readonly methods: string[]
  /** The methods served at a concrete request URL (query ignored); empty when no route has that path. */
  methodsFor (url: string): string[]
}

declare module 'fastify' {
  interface FastifyInstance { routeTable: RouteTable }
}

const noop = (): void => undefined

export default fp(async (app) => {
  const router = FindMyWay()
  const methods: string[] = []
  app.addHook('onRoute', (route) => {
    // The CORS plugin's catch-all OPTIONS route answers preflights for every path: it is not a resource of ours.
    if (route.url === '*') return
    for (const method of [route.method].flat()) {
      router.on(method as HTTPMethod, route.url, noop)
      if (!methods.includes(method)) {
        methods.push(method)
        methods.sort()
      }
    }
  })
  app.decorate('routeTable', {
    methods,
    methodsFor: (url) => {
      const path = url.split('?', 1)[0] ?? url
      return methods.filter((method) => router.find(method as HTTPMethod, path) !== null)
    }
  } satisfies RouteTable)
}, { name: 'route-table' })
