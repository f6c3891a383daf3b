#!/usr/bin/env bash
# Regenerates completions/ and man/ from meshctl's command tree.
#   scripts/generate.sh          rewrite the committed files
#   scripts/generate.sh --check  regenerate into a temporary directory and fail (exit 1),
#                                naming the stale files, when the committed ones differ
# Completions come from the binary (--generate-completion-script); man pages from
# argument-parser's generate-manual plugin (offline). The manual date is pinned so that
# regenerating on another day changes nothing.
set -euo pipefail

cd "$(dirname "$0")/.."
MANUAL_DATE=2026-01-01
check=false
case "${1:-}" in
  --check) check=true ;;
  "") ;;
  *) echo "usage: scripts/generate.sh [--check]" >&2; exit 64 ;;
esac

swift build --product meshctl >&2
bin="$(swift build --show-bin-path)/meshctl"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/completions" "$out/man"

"$bin" --generate-completion-script bash >"$out/completions/meshctl.bash"
"$bin" --generate-completion-script zsh >"$out/completions/_meshctl"
"$bin" --generate-completion-script fish >"$out/completions/meshctl.fish"

rm -rf .build/plugins/GenerateManual/outputs/meshctl
swift package plugin generate-manual --multi-page --date "$MANUAL_DATE" >&2
manual_dir=$(find .build/plugins/GenerateManual/outputs -type d -name meshctl | head -n 1)
if [ -z "$manual_dir" ] || ! ls "$manual_dir"/*.1 >/dev/null 2>&1; then
  echo "generate.sh: the generate-manual plugin wrote no man pages" >&2
  exit 1
fi
cp "$manual_dir"/*.1 "$out/man/"

if ! $check; then
  rm -rf completions man
  cp -R "$out/completions" completions
  cp -R "$out/man" man
  echo "wrote completions/ and man/" >&2
  exit 0
fi

stale=()
for dir in completions man; do
  for file in "$out/$dir"/* "$dir"/*; do
    [ -e "$file" ] || continue
    name="$dir/$(basename "$file")"
    if ! cmp -s "$out/$name" "$name" 2>/dev/null; then
      stale+=("$name")
    fi
  done
done
if [ ${#stale[@]} -gt 0 ]; then
  printf '%s\n' "${stale[@]}" | sort -u | sed 's/^/stale: /' >&2
  echo "generated files are stale: run 'make generate' and commit the result" >&2
  exit 1
fi
echo "completions/ and man/ are up to date" >&2
