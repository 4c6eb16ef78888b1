#!/usr/bin/env bash
# The manual pages `opencapf manual` writes: one per command family, each rendered by man(1) and
# groff without a single warning, saying what the command line says.
# manual_cli_test.sh OPENCAPF
set -uo pipefail
bin=$1
source "$(dirname "$0")/lib.sh"

for tool in man groff; do
  command -v $tool >/dev/null || { echo "FAIL: $tool is missing (scripts/install-deps installs it)"; exit 1; }
done

expect 2 "--out is required" -- "$bin" manual
expect 2 "Run 'opencapf manual --help' for its usage" -- "$bin" manual
expect 0 "wrote [0-9]+ manual pages to $work/man" -- "$bin" manual --out "$work/man"

# Every family --help lists has its page, and no page is left without a family.
families=$("$bin" --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && NF {print $1}' | grep -vx help)
check "opencapf --help lists the families" test -n "$families"
for family in $families; do
  check "opencapf-$family.1 was written" test -s "$work/man/opencapf-$family.1"
done
check "opencapf.1 was written" test -s "$work/man/opencapf.1"
pages=$(ls "$work/man" | wc -l)
check "one page per family and opencapf.1 ($pages pages)" test "$pages" -eq $(($(wc -w <<<"$families") + 1))

# renders PAGE: man -l renders it (man-db's own checks on, 80 columns) and groff finds nothing
# to warn about (-ww: every warning); any warning fails the page.
renders() {
  local page=$1 out warnings
  out=$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$page" 2>"$work/man.err")
  warnings=$(cat "$work/man.err"; LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>&1)
  if [ -n "$warnings" ]; then
    echo "$warnings" | head -10 | sed 's/^/    /'
    return 1
  fi
  grep -q "^NAME" <<<"$out" && grep -q "^SYNOPSIS" <<<"$out" && grep -q "^EXIT STATUS" <<<"$out"
}
for page in "$work"/man/*.1; do
  check "man -l renders $(basename "$page") without a warning" renders "$page"
done

# What an administrator looks up, as man shows it.
device=$(MANWIDTH=80 LC_ALL=C.UTF-8 man -l "$work/man/opencapf-device.1" 2>/dev/null)
check "opencapf-device(1) names its page" grep -q "^OPENCAPF-DEVICE(1)" <<<"$device"
check "opencapf-device(1) has 'device add' and its synopsis" \
  grep -Eq "^ +opencapf device add \[--operation OPERATION\] \[--auth MODE\]" <<<"$device"
check "opencapf-device(1) explains --auth" grep -Eq "^ +--auth MODE$" <<<"$device"
check "opencapf-device(1) lists the modes" grep -q "existing-lsc" <<<"$device"
check "opencapf-device(1) gives the --data default" grep -q "Default: var/opencapf" <<<"$device"
check "hyphens in flags are typed hyphen-minus" grep -q -- "--complete-by" <<<"$device"
report=$(MANWIDTH=80 LC_ALL=C.UTF-8 man -l "$work/man/opencapf-report.1" 2>/dev/null)
check "opencapf-report(1) gives --format's values and default" \
  grep -Eq "table, csv or json\. .*Default: table" <<<"$(tr '\n' ' ' <<<"$report" | tr -s ' ')"
root=$(MANWIDTH=80 LC_ALL=C.UTF-8 man -l "$work/man/opencapf.1" 2>/dev/null)
for section in COMMANDS OPTIONS FILES ENVIRONMENT "EXIT STATUS" EXAMPLES "SEE ALSO"; do
  check "opencapf(1) has $section" grep -q "^$section" <<<"$root"
done
check "opencapf(1) points at opencapf-device(1)" grep -q "See opencapf-device(1)" <<<"$root"
check "opencapf(1) says usage errors exit 2" grep -Eq "^ +2 +A usage error" <<<"$root"
finish
