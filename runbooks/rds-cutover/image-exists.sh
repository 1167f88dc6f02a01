#!/usr/bin/env bash
# Says whether a container image exists in its registry, without pulling it: HOST/REPO:TAG
# is looked up through the registry API (OCI distribution), with an anonymous pull token
# when the registry asks for one (as ghcr.io does for public images), or with $REGISTRY_TOKEN.
# Exit 0: it exists; 1: the registry says it does not; 2: the registry could not be asked.
set -euo pipefail
ref="${1:?usage: image-exists.sh HOST/REPO:TAG}"
host="${ref%%/*}"
rest="${ref#*/}"
repo="${rest%:*}"
tag="${rest##*:}"
if [[ "$rest" != *:* ]]; then tag=latest; fi
case "$host" in
  localhost*|127.*) base="http://$host" ;;
  *) base="https://$host" ;;
esac
accept="application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.docker.distribution.manifest.v2+json"
token="${REGISTRY_TOKEN:-}"
status() {
  curl -sS -o /dev/null -w '%{http_code}' --max-time 20 -I -H "Accept: $accept" \
    ${token:+-H "Authorization: Bearer $token"} "$base/v2/$repo/manifests/$tag"
}
code=$(status) || { echo "cannot reach $base to look for $ref"; exit 2; }
if [[ "$code" == 401 && -z "$token" ]]; then
  token=$(curl -fsS --max-time 20 "$base/token?scope=repository:$repo:pull" | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p') || true
  code=$(status) || { echo "cannot reach $base to look for $ref"; exit 2; }
fi
case "$code" in
  200) echo "$ref exists" ;;
  404) echo "$ref does not exist in $host"; exit 1 ;;
  *) echo "$host answered HTTP $code for $ref"; exit 2 ;;
esac
