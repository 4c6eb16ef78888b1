#!/usr/bin/env bash
# The administration pages in a real browser, as an administrator uses them: a fresh data
# directory, `opencapf serve` with every service on 127.0.0.1, Debian's chromium driven by
# playwright-core (admin_test.mjs), and the phone simulator enrolling the phone the browser
# scheduled.
#
#   tests/browser/run.sh OPENCAPF_BINARY ARTIFACT_DIR
#
# Screenshots (dashboard.png, device.png, and failure.png when a check fails) and the server's
# log go to ARTIFACT_DIR.
set -u

if [ $# -ne 2 ]; then
  echo "usage: $0 OPENCAPF_BINARY ARTIFACT_DIR" >&2
  exit 2
fi
opencapf=$(realpath "$1")
artifacts=$(mkdir -p "$2" && realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../ports.sh"

fail() {
  echo "FAIL: $*"
  exit 1
}

[ -x "$opencapf" ] || fail "$opencapf is not an executable"
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing: scripts/install-deps installs Debian's chromium"
command -v node >/dev/null 2>&1 || fail "node is missing: scripts/install-deps installs nodejs and npm"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || fail "playwright-core needs Node.js 20 or later; this is $(node --version)"
command -v curl >/dev/null 2>&1 || fail "curl is missing: scripts/install-deps installs it"

# playwright-core only: it drives the browser Debian installed and never downloads one.
if [ ! -d "$here/node_modules/playwright-core" ]; then
  (cd "$here" && npm ci --no-audit --no-fund) || fail "npm ci in $here failed"
fi

work=$(mktemp -d)
serve_pid=
cleanup() {
  if [ -n "$serve_pid" ]; then
    kill "$serve_pid" 2>/dev/null
    wait "$serve_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT


data=$work/data
"$opencapf" init --data "$data" >"$work/init.out" 2>&1 || { cat "$work/init.out"; fail "opencapf init"; }
password=$(grep -A1 '^administrator password (shown once' "$work/init.out" | sed -n 2p)
[ -n "$password" ] || { cat "$work/init.out"; fail "no administrator password in the output of init"; }

capf_port=$(freeport SOCK_STREAM)
tvs_port=$(freeport SOCK_STREAM)
admin_port=$(freeport SOCK_STREAM)
tftp_port=$(freeport SOCK_DGRAM)
"$opencapf" serve --data "$data" --listen 127.0.0.1 --capf-port "$capf_port" \
  --tftp-port "$tftp_port" --tvs-port "$tvs_port" --http-port 0 --admin-port "$admin_port" --threads 2 \
  >"$work/serve.log" 2>&1 &
serve_pid=$!

url="https://127.0.0.1:$admin_port"
until curl -sk --max-time 2 "$url/healthz" >/dev/null 2>&1; do
  if ! kill -0 "$serve_pid" 2>/dev/null; then
    cat "$work/serve.log"
    serve_pid=
    fail "opencapf serve exited before it answered on $url/healthz"
  fi
  if [ $SECONDS -ge 60 ]; then
    cat "$work/serve.log"
    fail "opencapf serve did not answer on $url/healthz within 60 s"
  fi
  sleep 0.2
done

OPENCAPF_URL=$url OPENCAPF_PASSWORD=$password OPENCAPF_BINARY=$opencapf \
  OPENCAPF_CAPF_PORT=$capf_port OPENCAPF_TFTP_PORT=$tftp_port OPENCAPF_WORK=$work \
  ARTIFACT_DIR=$artifacts node "$here/admin_test.mjs"
rc=$?
cp "$work/serve.log" "$artifacts/serve.log"
if [ $rc -ne 0 ]; then
  echo "--- the last lines of the server's log ($artifacts/serve.log):"
  tail -40 "$work/serve.log"
fi
exit $rc
