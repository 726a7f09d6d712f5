// The verified-token cache is shared with resource servers: one implementation, in @rotor/verify.
export { createVerifiedTokenCache, type VerifiedTokenCache } from '@rotor/verify'
