// Reading Prometheus text exposition in the metrics tests: every sample as name, labels and value.
import type { FastifyInstance } from 'fastify'

export interface Sample { name: string, labels: Record<string, string>, value: number }

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

export function parseMetrics (text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    const m = LINE.exec(line)
    if (m === null) continue // comments (# HELP, # TYPE) and blank lines
    const labels: Record<string, string> = {}
    for (const [, name, value] of (m[2] ?? '').matchAll(LABEL)) labels[name!] = value!
    samples.push({ name: m[1]!, labels, value: Number(m[3]) })
  }
  return samples
}

/** The value of the first sample with this name whose labels include `labels`; undefined when there is none. */
export function valueOf (samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value
}

/** GET /metrics through the app; throws unless it answers 200. */
export async function scrape (app: FastifyInstance): Promise<{ samples: Sample[], text: string }> {
  const res = await app.inject({ url: '/metrics' })
  if (res.statusCode !== 200) throw new Error(`/metrics answered ${res.statusCode}: ${res.body}`)
  return { samples: parseMetrics(res.body), text: res.body }
}

/** Poll until `check` holds (events from another instance arrive asynchronously); false if it never does. */
export async function waitFor (check: () => boolean | Promise<boolean>, withinMs = 20_000): Promise<boolean> {
  const start = Date.now()
  while (Date.now() - start <= withinMs) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return false
}
