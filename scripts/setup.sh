#!/usr/bin/env bash
# The README's set-up: Node dependencies from the lockfile, then the CLI tools the tests use
# (helm, actionlint, and the cluster suite's control plane), built from the Go module proxy and cached
# in .tools/. The cluster suite also needs openssl (certificates) and python3 (CRD files from module zips);
# actionlint checks the workflows' run scripts only when shellcheck is on the path.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for tool in openssl python3 shellcheck; do command -v "$tool" >/dev/null || missing+=("$tool"); done
# The backup/restore suite starts a real PostgreSQL server (Debian's package; test/backup-restore).
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing ${missing[*]} from Debian's packages"
    apt-get update -qq && apt-get install -y -qq "${missing[@]}"
fi
npm ci --no-audit --no-fund
bash scripts/install-tools.sh
