# Finishes a man page from argument-parser's generate-manual plugin (mdoc):
#   - a blank line in a discussion becomes .Pp (mdoc warns about empty input lines);
#   - "EXIT STATUS" lists meshctl's codes (from `meshctl help exit-codes`, file `codes`) instead
#     of .Ex -std, and an ENVIRONMENT section (from `meshctl help environment`, file `env`) goes
#     before it;
#   - SEE ALSO names each page once (argument-parser's own `help` duplicates meshctl's).
# Usage: awk -v codes=FILE -v env=FILE -f scripts/man-postprocess.awk page.1
BEGIN {
  while ((getline line < codes) > 0) {
    if (line !~ /^  [0-9]+ +/) continue
    sub(/^  /, "", line)
    code = line; sub(/ .*/, "", code)
    text = line; sub(/^[0-9]+ +/, "", text)
    exits = exits ".It " code "\n" text "\n"
  }
  while ((getline line < env) > 0) {
    if (line ~ /^  [^ ]/) {
      sub(/^  /, "", line)
      gsub(/, /, " ", line)
      environment = environment ".It Ev " line "\n"
    } else if (line ~ /^      /) {
      sub(/^ +/, "", line)
      environment = environment line "\n"
    }
  }
}
function flush_see_also(   i) {
  for (i = 1; i <= count; i++) print see[i] (i < count ? " ," : "")
  count = 0
}
/^$/ { flush_see_also(); print ".Pp"; next }
/^\.Sh "EXIT STATUS"/ {
  flush_see_also()
  print ".Sh ENVIRONMENT"
  print ".Bl -tag -width 6n"
  printf "%s", environment
  print ".El"
  print
  next
}
/^\.Ex -std/ { print ".Bl -tag -width 4n"; printf "%s", exits; print ".El"; next }
/^\.Xr / {
  entry = $0; sub(/ ,$/, "", entry)
  if (!(entry in seen)) { seen[entry] = 1; see[++count] = entry }
  next
}
{ flush_see_also(); print }
END { flush_see_also() }
