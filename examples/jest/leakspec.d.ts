// Gives Jest's expect its `toLeak` type (with @types/jest), the way setupFilesAfterEnv gives it at run
// time. Alternatively add "leakspec/jest" to `types` in tsconfig.json.
import 'leakspec/jest'
