// Copies the Lua scripts next to the compiled adapters (tsc does not copy non-TS files).
import { cpSync, existsSync } from 'node:fs';

for (const dir of ['broker/lua', 'backend/lua', 'schedule/lua']) {
  if (existsSync(`src/${dir}`)) cpSync(`src/${dir}`, `dist/${dir}`, { recursive: true });
}
