#!/usr/bin/env bash
# Builds the CLI tools the tests use from the Go module proxy (no binary downloads), into .tools/bin.
# A tool already built at the pinned version is kept, so a second run takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

HELM_VERSION=v3.22.0
ACTIONLINT_VERSION=v1.7.12
# NetworkPolicy engine for the path checks (paths/network-policies.ts); latest release, builds with the local Go.
CYCLONUS_VERSION=v0.5.6
TOOLS_BIN="$PWD/.tools/bin"
mkdir -p "$TOOLS_BIN"
export GOBIN="$TOOLS_BIN" GOTOOLCHAIN=local GOFLAGS=-trimpath

installed_version() { [ -f "$TOOLS_BIN/.$1.version" ] && cat "$TOOLS_BIN/.$1.version"; }

install_tool() {
    local name=$1 module=$2 version=$3 ldflags=${4:-}
    if [ -x "$TOOLS_BIN/$name" ] && [ "$(installed_version "$name")" = "$version" ]; then
        echo "$name $version: already built"
        return
    fi
    echo "$name $version: building from the Go module proxy"
    go install -ldflags "$ldflags" "$module@$version"
    echo "$version" >"$TOOLS_BIN/.$name.version"
}

if ! command -v go >/dev/null; then
    echo "install-tools: Go is required (https://go.dev/doc/install, or your package manager)" >&2
    exit 1
fi
install_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
install_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION" \
    "-X github.com/rhysd/actionlint.version=$ACTIONLINT_VERSION"
install_tool cyclonus github.com/mattfenwick/cyclonus/cmd/cyclonus "$CYCLONUS_VERSION"
"$TOOLS_BIN/helm" version --short
"$TOOLS_BIN/actionlint" -version | head -1
