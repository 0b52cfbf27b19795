#!/usr/bin/env bash
# npm run system: from a fresh clone to the whole system running, until Ctrl-C (see scripts/system.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node24.sh
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi
exec node -r ./scripts/register.cjs scripts/system.ts
