// Raw argon2 baseline for login: argon2.verify of the seeded users' stored hash with the shared password, at the
// app's hashing concurrency, in one process on the server's core. A login adds HTTP, the throttle script, the user
// read, a new family and an access-token signature to this.
import argon2 from 'argon2'
import type { Rate } from './types.js'

export async function rawArgon2Rate (input: { hash: string, password: string, concurrency: number, seconds: number }): Promise<Rate & { concurrency: number }> {
  let operations = 0
  const start = performance.now()
  const end = start + input.seconds * 1000
  const worker = async () => {
    while (performance.now() < end) {
      if (!(await argon2.verify(input.hash, input.password))) throw new Error('the seeded hash does not verify the password')
      operations++
    }
  }
  await Promise.all(Array.from({ length: input.concurrency }, worker))
  const seconds = (performance.now() - start) / 1000
  return { perSecond: operations / seconds, operations, seconds, concurrency: input.concurrency }
}
