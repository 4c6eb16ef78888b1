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

# wait_for WHAT SECONDS COMMAND...: polls COMMAND until it succeeds.
wait_for() {
  local what=$1 seconds=$2
  shift 2
  local until=$((SECONDS + seconds))
  while ! "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $until ]; then
      echo "FAIL: timed out waiting for $what"
      failed=$((failed + 1))
      return 1
    fi
    sleep 0.1
  done
}

finish() {
  echo "$passed passed, $failed failed"
  [ $failed -eq 0 ]
}

# foreign_certificate DIR CN: a CA of its own (DIR/foreign-ca.pem, .key) and a client certificate
# CN under it (DIR/foreign.pem, .key), keys 0600: a stand-in for a MIC or a phone from elsewhere,
# which a head-end trusting only opencapf's export must refuse.
foreign_certificate() {
  local dir=$1 cn=$2
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/foreign-ca.key" -out "$dir/foreign-ca.pem" \
    -days 30 -subj "/CN=Foreign Manufacturing CA" 2>/dev/null
  openssl req -new -newkey rsa:2048 -nodes -keyout "$dir/foreign.key" -out "$dir/foreign.csr" \
    -subj "/CN=$cn" 2>/dev/null
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' \
    >"$dir/foreign.ext"
  openssl x509 -req -in "$dir/foreign.csr" -CA "$dir/foreign-ca.pem" -CAkey "$dir/foreign-ca.key" \
    -CAcreateserial -days 30 -extfile "$dir/foreign.ext" -out "$dir/foreign.pem" 2>/dev/null
  chmod 600 "$dir/foreign-ca.key" "$dir/foreign.key"
}
