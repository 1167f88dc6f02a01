#!/usr/bin/env bash
# Builds the Kubernetes control plane the tests run against (see KubeCluster.java):
# kube-apiserver, kube-controller-manager, kube-scheduler, etcd and kwok, from the Go
# module proxy only, into ${XDG_CACHE_HOME:-~/.cache}/lockstep/kube-<version>/bin.
# Idempotent: once the stamp file exists nothing is done. The binaries are built in a
# temporary directory and renamed into place, so an interrupted build leaves no cache.
# Needs only go (1.26+, or a Go that may fetch that toolchain) and the module proxy.
set -euo pipefail

KUBE_VERSION=v1.36.3
STAGING_VERSION=v0.36.3     # every k8s.io staging module is released as v0.<minor>.<patch>
KWOK_VERSION=v0.8.0

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/lockstep"
dest="$cache_root/kube-$KUBE_VERSION"
stamp="$dest/bin/.built"    # written last: its presence means the cache is complete

[[ -f "$stamp" ]] && exit 0
command -v go >/dev/null || { echo "build-cluster: needs Go (1.26 or a Go that may fetch it) on PATH" >&2; exit 1; }

mkdir -p "$cache_root"
# Two test JVMs may start at once: one builds, the other waits and then finds the stamp.
exec 9>"$cache_root/kube-$KUBE_VERSION.lock"
if ! flock -n 9; then
  echo "build-cluster: another build of the Kubernetes binaries is running; waiting for it" >&2
  flock 9
fi
[[ -f "$stamp" ]] && exit 0
# What a killed build left behind (the lock says no build is running).
rm -rf "$cache_root/kube-$KUBE_VERSION.partial."* "${TMPDIR:-/tmp}/lockstep-kube-$KUBE_VERSION-build."*

start=$SECONDS
work=$(mktemp -d "${TMPDIR:-/tmp}/lockstep-kube-$KUBE_VERSION-build.XXXXXX")
staging="$cache_root/kube-$KUBE_VERSION.partial.$$"
trap 'rm -rf "$work" "$staging"' EXIT

log() { echo "build-cluster: $*" >&2; }
log "building Kubernetes $KUBE_VERSION, etcd and kwok $KWOK_VERSION into $dest"
log "this first build takes 10-20 minutes on 2 cores and ~4 GB of temporary disk; later runs reuse it"

export CGO_ENABLED=0
export GOFLAGS="-mod=mod -buildvcs=false"
# The build cache of this build (~3 GB) is thrown away with $work; the module cache is kept.
export GOCACHE="$work/gocache"

mod_dir="$work/mod"
mkdir -p "$mod_dir" "$staging/bin"
cd "$mod_dir"

# kubernetes' own go.mod points its staging modules at ./staging/...; replaces in a
# dependency are ignored, so this module replaces each with its published version.
kube_gomod=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
[[ -f "$kube_gomod" ]] || { log "could not download k8s.io/kubernetes@$KUBE_VERSION from $(go env GOPROXY)"; exit 1; }
go_version=$(awk '$1 == "go" { print $2; exit }' "$kube_gomod")
etcd_version=$(awk '$1 == "go.etcd.io/etcd/server/v3" { print $2; exit }' "$kube_gomod")
staging_modules=$(awk '$2 == "=>" && $3 ~ /^\.\/staging\// { print $1 }' "$kube_gomod")
[[ -n "$etcd_version" && -n "$staging_modules" ]] || { log "unexpected go.mod of k8s.io/kubernetes: $kube_gomod"; exit 1; }

printf 'module lockstep.dev/kube-build\n\ngo %s\n' "$go_version" > go.mod
go mod edit \
  -require="k8s.io/kubernetes@$KUBE_VERSION" \
  -require="go.etcd.io/etcd/server/v3@$etcd_version" \
  -require="sigs.k8s.io/kwok@$KWOK_VERSION"
for m in $staging_modules; do go mod edit -replace="$m=$m@$STAGING_VERSION"; done

minor=${KUBE_VERSION#v1.}; minor=${minor%%.*}
version_ldflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  version_ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done

log "downloading modules (~620 MB, kept in $(go env GOMODCACHE)) and compiling kube-apiserver, kube-controller-manager, kube-scheduler"
nice -n 10 go build -trimpath -ldflags "-s -w$version_ldflags" -o "$staging/bin/" \
  k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler
log "compiling etcd $etcd_version"
nice -n 10 go build -trimpath -ldflags "-s -w" -o "$staging/bin/etcd" go.etcd.io/etcd/server/v3
log "compiling kwok $KWOK_VERSION"
nice -n 10 go build -trimpath -ldflags "-s -w" -o "$staging/bin/kwok" sigs.k8s.io/kwok/cmd/kwok

# kwok's CRDs and stock Stages, which the harness applies and copies into kwok's config.
kwok_dir=$(go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
mkdir -p "$staging/kwok"
cp -r "$kwok_dir/kustomize/crd/bases" "$staging/kwok/crd"
cp -r "$kwok_dir/kustomize/stage" "$staging/kwok/stage"
chmod -R u+w "$staging/kwok"

printf 'kubernetes %s\netcd %s\nkwok %s\n' "$KUBE_VERSION" "$etcd_version" "$KWOK_VERSION" > "$staging/bin/.built"
rm -rf "$dest"
mv "$staging" "$dest"
log "done in $((SECONDS - start)) s: $(du -sh "$dest" | cut -f1) in $dest"
