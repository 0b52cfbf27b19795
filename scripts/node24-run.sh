#!/usr/bin/env bash
# Runs a command under Node 24: every npm script that runs code goes through this. On a machine whose
# default Node is another, scripts/node24.sh fetches Node 24 once (as `npm run system` does) and puts it first.
set -euo pipefail
source "$(dirname "$0")/node24.sh"
exec "$@"
