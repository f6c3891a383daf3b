#!/usr/bin/env bash
# Installs the Debian packages meshctl needs to build and test, when they are missing.
# Extra package names may be passed as arguments (bench and fuzz add theirs).
set -euo pipefail
needed=(libyaml-dev libcurl4-openssl-dev pkg-config make "$@")
missing=()
for pkg in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "meshctl: installing missing Debian packages: ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >&2
