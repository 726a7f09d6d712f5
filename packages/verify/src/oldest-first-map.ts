// A Map bounded to maxEntries that forgets its oldest entry (by first insertion) to make room for a new key, at
// constant cost. The oldest entry comes from one long-lived iterator, not from a new map.keys() per eviction: a Map
// keeps the slots of deleted entries until it rehashes, and a fresh iterator walks every such hole from the start,
// so with one eviction per insert at 100,000 entries each eviction cost ~50 µs (docs/benchmarks.md). A live iterator
// resumes where it stopped and sees entries added since (ECMA-262 Map iteration), so it always yields the oldest
// entry still present; once exhausted it stays done, so it is renewed then.

export interface OldestFirstMap<K, V> {
  get (key: K): V | undefined
  /** Replacing a key keeps its place; a new key at a full map evicts the oldest first. */
  set (key: K, value: V): void
  delete (key: K): void
  size (): number
}

export function createOldestFirstMap<K, V> (maxEntries: number): OldestFirstMap<K, V> {
  const entries = new Map<K, V>()
  let oldest = entries.keys()
  const evictOldest = (): void => {
    let next = oldest.next()
    if (next.done === true) {
      oldest = entries.keys()
      next = oldest.next()
    }
    if (next.done !== true) entries.delete(next.value)
  }
  return {
    get: (key) => entries.get(key),
    set (key, value) {
      if (maxEntries <= 0) return // 0 keeps nothing
      if (entries.size >= maxEntries && !entries.has(key)) evictOldest()
      entries.set(key, value)
    },
    delete: (key) => { entries.delete(key) },
    size: () => entries.size
  }
}
