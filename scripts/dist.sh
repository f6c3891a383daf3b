#!/usr/bin/env bash
# Builds the release archive and the krew plugin manifest that installs it.
#   scripts/dist.sh [BINARY [OUTDIR [MANIFEST]]]
# Defaults: the release binary (`make release`), dist/, plugins/mesh.yaml. Writes
#   OUTDIR/meshctl-VERSION-OS-ARCH.tar.gz   meshctl, kubectl-mesh (link), kubectl_complete-mesh,
#                                           completions/, man/, LICENSE, README.md
#   OUTDIR/meshctl-VERSION-OS-ARCH.tar.gz.sha256   (sha256sum's format)
#   MANIFEST                                krew.googlecontainertools.github.com/v1alpha2 Plugin
# MESHCTL_RELEASE_URL (where the archives are published, VERSION is appended) and
# MESHCTL_HOMEPAGE set the manifest's URLs.
set -euo pipefail

cd "$(dirname "$0")/.."
bin=${1:-$(swift build -c release --static-swift-stdlib --show-bin-path)/meshctl}
out=${2:-dist}
manifest=${3:-plugins/mesh.yaml}
homepage=${MESHCTL_HOMEPAGE:-https://github.com/meshctl/meshctl}
release_url=${MESHCTL_RELEASE_URL:-$homepage/releases/download}

[ -x "$bin" ] || { echo "dist.sh: $bin is not built (make release)" >&2; exit 1; }
version=$("$bin" --version)
os=$(uname -s | tr '[:upper:]' '[:lower:]')
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) arch=$(uname -m) ;;
esac
name="meshctl-$version-$os-$arch"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/completions" "$stage/man"
install -m 0755 "$bin" "$stage/meshctl"
# kubectl runs plugins by file name: kubectl-mesh is `kubectl mesh`.
ln -s meshctl "$stage/kubectl-mesh"
# kubectl (1.26 and later) runs kubectl_complete-mesh for `kubectl mesh <TAB>`; a script rather
# than a link, so it works wherever it is linked from (krew links only the plugin itself).
cat >"$stage/kubectl_complete-mesh" <<'SCRIPT'
#!/bin/sh
# kubectl runs this for `kubectl mesh <TAB>`; meshctl answers in kubectl's completion protocol.
exec "$(dirname "$(readlink -f "$0")")/meshctl" __complete "$@"
SCRIPT
chmod 0755 "$stage/kubectl_complete-mesh"
"$bin" completion bash >"$stage/completions/meshctl.bash"
"$bin" completion zsh >"$stage/completions/_meshctl"
"$bin" completion fish >"$stage/completions/meshctl.fish"
cp man/*.1 "$stage/man/"
cp LICENSE README.md "$stage/"

mkdir -p "$out" "$(dirname "$manifest")"
archive="$out/$name.tar.gz"
# Fixed owner, order and times: the same inputs give the same archive (and checksum).
chmod 0755 "$stage"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=2026-01-01 -C "$stage" -czf "$archive" \
  meshctl kubectl-mesh kubectl_complete-mesh completions man LICENSE README.md
sum=$(sha256sum "$archive" | cut -d' ' -f1)
echo "$sum  $name.tar.gz" >"$archive.sha256"

cat >"$manifest" <<MANIFEST
apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: mesh
spec:
  version: v$version
  homepage: $homepage
  shortDescription: Validate, inject and apply service-mesh manifests
  description: |
    meshctl as a kubectl plugin: validates Kubernetes and service-mesh manifests offline with
    file:line:column diagnostics, injects Istio and Linkerd sidecars, renders TrafficSplit and
    MTLSPolicy for the mesh, applies them with server-side apply, and shifts canary traffic with
    a health gate and automatic rollback.
  caveats: |
    For \`kubectl mesh <TAB>\`, put kubectl_complete-mesh from the plugin's directory on PATH
    (kubectl 1.26 or later). Shell completion for meshctl itself: meshctl completion bash|zsh|fish.
  platforms:
  - selector:
      matchLabels:
        os: $os
        arch: $arch
    uri: $release_url/v$version/$name.tar.gz
    sha256: $sum
    bin: meshctl
    files:
    - from: meshctl
      to: .
    - from: kubectl_complete-mesh
      to: .
    - from: completions
      to: .
    - from: man
      to: .
    - from: LICENSE
      to: .
MANIFEST
echo "wrote $archive, $archive.sha256 and $manifest" >&2
