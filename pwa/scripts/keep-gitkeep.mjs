// vite build empties backend/internal/web/dist; git tracks only its .gitkeep, which the Go
// side needs so that //go:embed all:dist compiles before any build. Put it back.
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

writeFileSync(fileURLToPath(new URL('../../backend/internal/web/dist/.gitkeep', import.meta.url)), '')
