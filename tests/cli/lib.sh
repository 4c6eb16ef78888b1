# Shared helpers for the command-line tests: run a command, check its exit code and output.
source "$(dirname "${BASH_SOURCE[0]}")/../ports.sh"
passed=0
failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# expect CODE PATTERN -- COMMAND...: COMMAND exits with CODE ("nonzero" for any failure) and
# its stdout+stderr matches the extended regex PATTERN.
expect() {
  local want=$1 pattern=$2
  shift 3
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  local ok=1
  if [ "$want" = nonzero ]; then [ $rc -ne 0 ] || ok=0; else [ $rc -eq "$want" ] || ok=0; fi
  if [ $ok -eq 1 ] && ! grep -Eq -- "$pattern" <<<"$out"; then ok=0; fi
  if [ $ok -eq 1 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $* (exit $rc, wanted $want, pattern '$pattern')"
    echo "$out" | head -20 | sed 's/^/    /'
  fi
}

# check DESCRIPTION COMMAND...: COMMAND succeeds.
check() {
  local what=$1
  shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $what"; fi
}

finish() {
  echo "$passed passed, $failed failed"
  [ $failed -eq 0 ]
}
