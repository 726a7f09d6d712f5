// tsc does not copy non-TypeScript files: put the Lua scripts beside the compiled session store.
import { cpSync } from 'node:fs'
cpSync('src/sessions/scripts', 'dist/sessions/scripts', { recursive: true })
