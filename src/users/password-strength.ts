// Password strength estimate (zxcvbn-ts: dictionaries, keyboard patterns, repeats, sequences, dates, l33t), the
// second half of the new-password policy beside the common-password list (NIST SP 800-63B §5.1.1.2 asks for both a
// blocklist and a check against "context-specific words"; ASVS 2.1.8 a strength meter). Run on registration and
// password change only, never on login or any validation path: it is synchronous CPU work of a few milliseconds.
import { ZxcvbnFactory } from '@zxcvbn-ts/core'
import * as common from '@zxcvbn-ts/language-common'
import * as english from '@zxcvbn-ts/language-en'

/** zxcvbn's scale, 0–4: 3 means about 10^8 guesses or more ("safely unguessable"), 4 about 10^10 or more. */
export type StrengthScore = 0 | 1 | 2 | 3 | 4

export interface StrengthEstimate {
  score: StrengthScore
  /** Why it is guessable, in English, never quoting the password (zxcvbn's fixed feedback texts). */
  warning?: string
  suggestions: string[]
}

export type StrengthEstimator = (password: string, userInputs: string[]) => StrengthEstimate

// Bounds of the estimate's own cost, whatever the password: only its first 64 characters are examined (the length
// limit is checked before, in bytes), and l33t substitutions are capped. A long password is not penalised by this: 64
// characters without a pattern score 4 anyway. Measured worst cases stay within tens of milliseconds.
const MAX_EXAMINED_CHARACTERS = 64
const MAX_L33T_SUBSTITUTIONS = 10

let shared: ZxcvbnFactory | undefined

/** The estimator; its dictionaries (a few MB) are ranked once per process, on first call, and shared. */
export function createStrengthEstimator (): StrengthEstimator {
  shared ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
    maxLength: MAX_EXAMINED_CHARACTERS,
    l33tMaxSubstitutions: MAX_L33T_SUBSTITUTIONS
  })
  const factory = shared
  return (password, userInputs) => {
    const { score, feedback } = factory.check(password, userInputs)
    return { score, warning: feedback.warning ?? undefined, suggestions: feedback.suggestions }
  }
}
