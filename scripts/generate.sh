#!/usr/bin/env bash
# Regenerates completions/ and man/ from meshctl's command tree.
#   scripts/generate.sh          rewrite the committed files
#   scripts/generate.sh --check  regenerate into a temporary directory and fail (exit 1),
#                                naming the stale files, when the committed ones differ
# Completions come from the binary (`meshctl completion bash|zsh|fish`, the scripts users get
# from the installed binary too); man pages from argument-parser's generate-manual plugin
# (offline), finished by scripts/man-postprocess.awk (EXIT STATUS and ENVIRONMENT from
# `meshctl help exit-codes` and `meshctl help environment`, one SEE ALSO entry per page, no
# empty lines) and checked with `man --warnings` when man is installed. The manual date is
# pinned so that regenerating on another day changes nothing.
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

"$bin" completion bash >"$out/completions/meshctl.bash"
"$bin" completion zsh >"$out/completions/_meshctl"
"$bin" completion fish >"$out/completions/meshctl.fish"

rm -rf .build/plugins/GenerateManual/outputs/meshctl
swift package plugin generate-manual --multi-page --date "$MANUAL_DATE" >&2
manual_dir=$(find .build/plugins/GenerateManual/outputs -type d -name meshctl | head -n 1)
if [ -z "$manual_dir" ] || ! ls "$manual_dir"/*.1 >/dev/null 2>&1; then
  echo "generate.sh: the generate-manual plugin wrote no man pages" >&2
  exit 1
fi
"$bin" help exit-codes >"$out/exit-codes.txt"
"$bin" help environment >"$out/environment.txt"
for page in "$manual_dir"/*.1; do
  awk -v codes="$out/exit-codes.txt" -v env="$out/environment.txt" -f scripts/man-postprocess.awk "$page" \
    >"$out/man/$(basename "$page")"
done
if command -v man >/dev/null 2>&1; then
  warnings=$(for page in "$out"/man/*.1; do man --warnings -l "$page" 2>&1 >/dev/null | sed "s|^|$(basename "$page"): |"; done)
  if [ -n "$warnings" ]; then
    echo "$warnings" >&2
    echo "generate.sh: man --warnings is not clean" >&2
    exit 1
  fi
fi

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
