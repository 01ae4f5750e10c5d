#!/usr/bin/env bash
# The README's set-up: Node dependencies from the lockfile, then the CLI tools the tests use
# (helm, actionlint), built from the Go module proxy and cached in .tools/.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
bash scripts/install-tools.sh
