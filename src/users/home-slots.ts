// Home-region user ids (docs/regions.md, "Home region"). Every key of a user carries the hash tag {userId}, so the
// id alone decides the user's Redis Cluster slot, and with it the master that takes the user's writes. An instance
// configured with its region's slot ranges (REDIS_HOME_SLOTS) draws new ids until one falls in them: the user's
// logins, refreshes and revocations are then local to the region that registered it. A draw costs no round trip
// (the slot is a CRC16 of the id), and with a third of the slots the expected number of draws is three.
import calculateSlot from 'cluster-key-slot'
import type { KeyNames } from '../key-names.js'
import { randomId } from '../sessions/refresh-token.js'

export const CLUSTER_SLOTS = 16384

/** Inclusive slot ranges, [from, to]. */
export type SlotRanges = ReadonlyArray<readonly [number, number]>

export const slotCount = (ranges: SlotRanges): number => ranges.reduce((n, [from, to]) => n + to - from + 1, 0)

export const inRanges = (slot: number, ranges: SlotRanges): boolean => ranges.some(([from, to]) => slot >= from && slot <= to)

/**
 * A new-user-id function: random ids (128 bits, as before) redrawn until the user's key is in `ranges`; without
 * ranges, the first draw. The ids stay uniformly random within the home slots, so they say nothing more than a
 * region. Throws only if a thousand times the expected number of draws all missed, which random ids never do: it
 * bounds a loop that a wrong range or a changed key format would otherwise make endless.
 */
export function homeUserIds (keys: KeyNames, ranges?: SlotRanges): () => string {
  if (ranges === undefined || ranges.length === 0) return randomId
  const maxDraws = Math.ceil(1000 * CLUSTER_SLOTS / slotCount(ranges))
  return () => {
    for (let draw = 0; draw < maxDraws; draw++) {
      const id = randomId()
      if (inRanges(calculateSlot(keys.user(id)), ranges)) return id
    }
    throw new Error(`no user id in the home slots after ${maxDraws} draws`)
  }
}

/**
 * A hash tag whose slot is in `ranges`, the same for every instance given them: `label-n` for the smallest such n
 * (about three tries with a third of the slots). Keys that carry it live on the home region's master.
 */
export function homeTag (label: string, ranges: SlotRanges): string {
  const maxTries = Math.ceil(1000 * CLUSTER_SLOTS / slotCount(ranges))
  for (let n = 0; n < maxTries; n++) if (inRanges(calculateSlot(`{${label}-${n}}`), ranges)) return `${label}-${n}`
  throw new Error(`no ${label} tag in the home slots after ${maxTries} tries`)
}
