#!/usr/bin/env bash
# Builds the CLI tools the tests use from the Go module proxy (no binary downloads), into .tools/bin.
# A tool already built at the pinned version is kept, so a second run takes about a second.
# The cluster suite's control plane (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl,
# etcd, kwok) is built the same way, from throwaway wrapper modules in .tools/src (about 20 minutes
# cold on 2 cores, seconds when cached); INSTALL_TOOLS_SKIP_CLUSTER=1 skips it. INSTALL_TOOLS_ONLY="helm cyclonus"
# builds only the tools named (the pull-request review's job needs no other), and no cluster tool.
set -euo pipefail
cd "$(dirname "$0")/.."

HELM_VERSION=v3.22.0
ACTIONLINT_VERSION=v1.7.12
# NetworkPolicy engine for the path checks (paths/network-policies.ts); latest release, builds with the local Go.
CYCLONUS_VERSION=v0.5.6
# Manifest scorer over every stack's rendered objects (npm run test:score); v1.20.0 is its latest release (docs/kube-score.md).
KUBE_SCORE_VERSION=v1.20.0
KUBERNETES_VERSION=v1.37.2
ETCD_VERSION=v3.7.3
KWOK_VERSION=v0.8.0
# The version the program applies (EKS_ADDON_VERSIONS.gatewayApi; the LBC 3.4 line is built for it): the cluster suite checks.
GATEWAY_API_VERSION=v1.5.0
# promtool of Prometheus 3.16.0 (Go module tags are v0.<major><minor>.<patch>): checks and unit-tests the alert rules.
PROMETHEUS_VERSION=v0.316.0
# CRDs of ServiceMonitor/PodMonitor/PrometheusRule for the cluster suite's API server (example/prometheus-operator-crd).
PROMETHEUS_OPERATOR_VERSION=v0.85.0
TOOLS_BIN="$PWD/.tools/bin"
TOOLS_SRC="$PWD/.tools/src"
mkdir -p "$TOOLS_BIN" "$TOOLS_SRC"
export GOBIN="$TOOLS_BIN" GOTOOLCHAIN=local GOFLAGS=-trimpath CGO_ENABLED=0

installed_version() { [ -f "$TOOLS_BIN/.$1.version" ] && cat "$TOOLS_BIN/.$1.version"; }
is_built() { [ -x "$TOOLS_BIN/$1" ] && [ "$(installed_version "$1")" = "$2" ]; }
wanted() { [ -z "${INSTALL_TOOLS_ONLY:-}" ] || [[ " $INSTALL_TOOLS_ONLY " == *" $1 "* ]]; }
[ -n "${INSTALL_TOOLS_ONLY:-}" ] && INSTALL_TOOLS_SKIP_CLUSTER=1

install_tool() {
    local name=$1 module=$2 version=$3 ldflags=${4:-}
    wanted "$name" || return 0
    if is_built "$name" "$version"; then
        echo "$name $version: already built"
        return
    fi
    echo "$name $version: building from the Go module proxy"
    go install -ldflags "-s -w $ldflags" "$module@$version"
    echo "$version" >"$TOOLS_BIN/.$name.version"
}

# Builds main packages of a module whose go.mod replaces sibling modules with ./paths (so `go install
# module@version` refuses it): a wrapper module requires it and replaces each of those modules with
# its release at the given version. Arguments: name, "module version", "replaced modules" (each
# `path@version`), ldflags, then the packages to build, each `package=binary`.
install_wrapped() {
    local name=$1 require=$2 replaces=$3 ldflags=$4
    shift 4
    local bins=() pkgs=() arg missing=0
    for arg in "$@"; do pkgs+=("${arg%=*}") && bins+=("${arg#*=}"); done
    for bin in "${bins[@]}"; do is_built "$bin" "${require#* }" || missing=1; done
    if [ "$missing" = 0 ]; then
        echo "${bins[*]} ${require#* }: already built"
        return
    fi
    echo "${bins[*]} ${require#* }: building from the Go module proxy"
    local dir="$TOOLS_SRC/$name"
    rm -rf "$dir" && mkdir -p "$dir"
    {
        echo "module platform.local/tools/$name"
        echo "go $(go env GOVERSION | sed 's/^go\([0-9]*\.[0-9]*\).*/\1/')"
        echo "require $require"
        for r in $replaces; do echo "replace ${r%@*} => ${r%@*} ${r#*@}"; done
    } >"$dir/go.mod"
    # one `go build` for all of them, so their packages compile once and the links run side by side
    (cd "$dir" && go build -mod=mod -ldflags "-s -w $ldflags" -o "$dir/bin/" "${pkgs[@]}")
    local i built
    for i in "${!pkgs[@]}"; do
        built=${pkgs[$i]##*/}
        [[ $built =~ ^v[0-9]+$ ]] && built=$(basename "$(dirname "${pkgs[$i]}")") # go drops /vN
        mv "$dir/bin/$built" "$TOOLS_BIN/${bins[$i]}"
        echo "${require#* }" >"$TOOLS_BIN/.${bins[$i]}.version"
    done
}

kubernetes_tools() {
    local v=$KUBERNETES_VERSION staging="" m minor=${KUBERNETES_VERSION#v1.}
    minor=${minor%%.*}
    # every module k8s.io/kubernetes takes from ./staging, at its release v0.<minor>.<patch>
    for m in api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider \
        cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api \
        cri-client cri-streaming csi-translation-lib dynamic-resource-allocation endpointslice \
        externaljwt kms kube-aggregator kube-controller-manager kube-proxy kube-scheduler kubectl \
        kubelet metrics mount-utils pod-security-admission sample-apiserver streaming; do
        staging+=" k8s.io/$m@v0.${v#v1.}"
    done
    local stamp="" pkg
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        stamp+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
        stamp+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
    done
    install_wrapped kubernetes "k8s.io/kubernetes $v" "$staging" "$stamp" \
        k8s.io/kubernetes/cmd/kube-apiserver=kube-apiserver \
        k8s.io/kubernetes/cmd/kube-controller-manager=kube-controller-manager \
        k8s.io/kubernetes/cmd/kube-scheduler=kube-scheduler k8s.io/kubernetes/cmd/kubectl=kubectl
}

etcd_tools() {
    local v=$ETCD_VERSION
    install_wrapped etcd "go.etcd.io/etcd/server/v3 $v" \
        "go.etcd.io/etcd/api/v3@$v go.etcd.io/etcd/client/pkg/v3@$v go.etcd.io/etcd/client/v3@$v go.etcd.io/etcd/pkg/v3@$v" \
        "" go.etcd.io/etcd/server/v3=etcd
}

# CRD manifests for the test API server, from a module's zip as the Go module proxy serves it (checked
# against go.sum's database; not built, so the module's own Go version does not matter).
install_crds() {
    local name=$1 module=$2 version=$3 subdir=$4 dest="$PWD/.tools/crds/$1"
    if [ -f "$dest/.version" ] && [ "$(cat "$dest/.version")" = "$version" ]; then
        echo "$name CRDs $version: already fetched"
        return
    fi
    local zip
    # The zip is downloaded and checked against the checksum database even when the module asks for a
    # newer Go than this one, which `go mod download` then reports as an error (exit 1): ignore that.
    zip=$({ go mod download -json "$module@$version" || true; } | sed -n 's/^\t"Zip": "\(.*\)",$/\1/p')
    [ -f "$zip" ] || { echo "install-tools: no module zip for $module@$version" >&2 && return 1; }
    rm -rf "$dest" && mkdir -p "$dest"
    python3 - "$zip" "$module@$version/$subdir/" "$dest" <<'PY'
import os, sys, zipfile
archive, prefix, dest = sys.argv[1:]
with zipfile.ZipFile(archive) as z:
    names = [n for n in z.namelist() if n.startswith(prefix) and n.endswith(".yaml") and "/" not in n[len(prefix):]]
    for n in names:
        with open(os.path.join(dest, os.path.basename(n)), "wb") as out:
            out.write(z.read(n))
print(f"{len(names)} files", end=" ")
PY
    echo "$version" >"$dest/.version"
    echo "of $name CRDs $version from $module"
}

if ! command -v go >/dev/null; then
    echo "install-tools: Go is required (https://go.dev/doc/install, or your package manager)" >&2
    exit 1
fi
start=$SECONDS
if [ "${INSTALL_TOOLS_SKIP_CLUSTER:-}" != 1 ]; then
    # The Kubernetes build is the long pole (about 20 minutes cold on 2 cores): it starts first, and the
    # other tools build beside it, which keeps both cores busy through each build's single-threaded links.
    kubernetes_tools &
    k8s=$!
fi
install_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
install_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION" \
    "-X github.com/rhysd/actionlint.version=$ACTIONLINT_VERSION"
install_tool cyclonus github.com/mattfenwick/cyclonus/cmd/cyclonus "$CYCLONUS_VERSION"
install_tool kube-score github.com/zegl/kube-score/cmd/kube-score "$KUBE_SCORE_VERSION" "-X main.version=$KUBE_SCORE_VERSION"
install_tool promtool github.com/prometheus/prometheus/cmd/promtool "$PROMETHEUS_VERSION" \
    "-X github.com/prometheus/common/version.Version=3.16.0 -X github.com/prometheus/common/version.Branch=release"
if [ "${INSTALL_TOOLS_SKIP_CLUSTER:-}" != 1 ]; then
    etcd_tools
    install_tool kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION"
    install_crds gateway-api sigs.k8s.io/gateway-api "$GATEWAY_API_VERSION" config/crd/standard
    install_crds prometheus-operator github.com/prometheus-operator/prometheus-operator "$PROMETHEUS_OPERATOR_VERSION" \
        example/prometheus-operator-crd
    wait "$k8s"
    "$TOOLS_BIN/kubectl" version --client | sed -n 1p # (head would close the pipe early: SIGPIPE under pipefail)
    "$TOOLS_BIN/etcd" --version | sed -n 1p
    "$TOOLS_BIN/kwok" --version | sed -n 1p
fi
! wanted helm || "$TOOLS_BIN/helm" version --short
! wanted actionlint || "$TOOLS_BIN/actionlint" -version | sed -n 1p
! wanted cyclonus || [ -x "$TOOLS_BIN/cyclonus" ]
! wanted kube-score || "$TOOLS_BIN/kube-score" version
! wanted promtool || "$TOOLS_BIN/promtool" --version | sed -n 1p
echo "install-tools: done in $((SECONDS - start)) s"
