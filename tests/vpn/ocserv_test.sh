#!/usr/bin/env bash
# A phone VPN for real: Debian's ocserv (OpenConnect VPN server) on 127.0.0.1 with certificate
# authentication, configured only from what `opencapf trust export --for ocserv` writes and
# prints, and openconnect as the phone's VPN client (`--authenticate`: the TLS handshake with the
# client certificate and the authentication exchange, up to the session cookie; no tunnel device):
#   - an LSC a phone got through a real CAPF session        → authenticated, the VPN user being
#                                                             the phone's device name
#   - an EC LSC                                             → authenticated
#   - a certificate from another CA (a MIC or foreign phone) → refused (issuer unknown)
#   - that LSC after `device revoke`, the export run again and `occtl reload` → refused (revoked)
#   - after `cert regenerate capf --yes` and the export again: an LSC of the old CAPF → accepted,
#     a phone enrolled under the new CAPF → accepted; without the earlier CAPF in ca-cert the old
#     LSC is refused.
# Every refusal must come from ocserv checking the certificate (its log says why), with ocserv
# still running, so a server that is down or misconfigured fails the test instead of passing it.
# Needs Debian's ocserv and openconnect packages (scripts/install-deps). Starts and stops its own
# `opencapf serve` and ocserv, on ports the kernel picks, and leaves nothing running. Runs as
# root only: ocserv refuses to start otherwise (its workers then run as nobody).
set -u
opencapf=$(realpath "$1")
enroll=$(realpath "$2")
. "$(dirname "$0")/../cli/lib.sh"

ocserv=$(command -v ocserv || { [ -x /usr/sbin/ocserv ] && echo /usr/sbin/ocserv; } || true)
occtl=$(command -v occtl || true)
openconnect=$(command -v openconnect || true)
if [ -z "$ocserv" ] || [ -z "$occtl" ] || [ -z "$openconnect" ]; then
  echo "FAIL: ocserv, occtl and openconnect are needed (scripts/install-deps installs the Debian" \
    "packages ocserv and openconnect)"
  exit 1
fi

# ocserv refuses to start as anyone else ("This server requires root access to operate.").
if [ "$(id -u)" -ne 0 ]; then
  # Reported as skipped by ctest (SKIP_RETURN_CODE), never as passed; CI runs as root.
  echo "SKIPPED: ocserv runs only as root (its workers then drop to nobody); run this test as root"
  exit 77
fi

data=$work/data
etc=$work/ocserv # stands for /etc/ocserv
serve_pid=
ocserv_pid=
ocserv_children=
# ocserv's workers drop to run-as-user and must reach the sec-mod socket: it gets a directory of
# its own that they can enter, the rest of the test's files stay private.
sockdir=$(mktemp -d)
chmod 755 "$sockdir"
cleanup() {
  for pid in $ocserv_pid $serve_pid; do
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  rm -rf "$work" "$sockdir"
}
trap cleanup EXIT
say() { echo "== $*"; }
# running PID: the process exists and is not a zombie waiting to be reaped.
running() { [ -e "/proc/$1" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null; }
stopped() { ! running "$1"; }
die() {
  echo "FAIL: $*"
  failed=$((failed + 1))
  finish
  exit 1
}

# ---- opencapf: a data directory and a running server (CAPF, TFTP, TVS on free ports)
"$opencapf" init --data "$data" >/dev/null || die "opencapf init failed"
"$opencapf" serve --data "$data" --listen 127.0.0.1 --capf-port 0 --tftp-port 0 --tvs-port 0 \
  --http-port 0 --admin-port 0 --threads 2 >"$work/serve.log" 2>&1 &
serve_pid=$!
capf_port=
for _ in $(seq 100); do
  capf_port=$(sed -n 's/.*capf: listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.log" 2>/dev/null)
  [ -n "$capf_port" ] && break
  kill -0 "$serve_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$capf_port" ] || { cat "$work/serve.log"; die "opencapf serve did not start"; }

# enrol NAME [DEVICE ADD OPTIONS...]: schedules an LSC install and lets the phone simulator enroll
# through CAPF (a key of the kind the server asks for); its LSC and key land in $work/NAME.pem
# and NAME.key (0600).
enrol() {
  local name=$1
  shift
  "$opencapf" device add "$name" --operation install --auth null-string "$@" --data "$data" >/dev/null
  expect 0 "enrolled $name: LSC CN=$name" -- \
    "$enroll" 127.0.0.1 "$capf_port" "$name" "$work/$name.pem" "$work/$name.key"
  chmod 600 "$work/$name.key"
}
say "phones enroll through CAPF"
enrol SEP00000000AA01
enrol SEP00000000AA02
enrol SEP00000000EC01 --key-order ec --ec-curve 256
check "the EC phone holds an EC LSC" \
  bash -c "openssl x509 -in '$work/SEP00000000EC01.pem' -noout -text | grep -q 'id-ecPublicKey'"

say "a certificate from another CA (a stand-in for a MIC or a phone from elsewhere)"
foreign_certificate "$work" SEP00000000FF01
# ocserv's own certificate, self-signed; the client pins its public key.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/server.key" -out "$work/server.pem" \
  -days 30 -subj "/CN=vpn.test" 2>/dev/null
chmod 600 "$work/server.key"
pin="pin-sha256:$(openssl x509 -in "$work/server.pem" -pubkey -noout | openssl pkey -pubin -outform der |
  openssl dgst -sha256 -binary | base64)"

# ---- the export, as an administrator runs it
say "trust export --for ocserv: the CA file, the CRLs beside it, the lines to paste"
mkdir -p "$etc"
ca=$etc/opencapf-ca.pem
crl=$etc/opencapf-ca-crl.pem
"$opencapf" trust export --for ocserv --out "$ca" --data "$data" >"$work/export1.out" 2>&1
rc=$?
check "trust export --for ocserv --out $ca exits 0 (it did $rc)" test $rc -eq 0
expect 0 "wrote $ca: 1 CA certificate for ocserv" -- cat "$work/export1.out"
expect 0 "wrote $crl: 1 CRL, next update" -- cat "$work/export1.out"
check "the CA file is plain PEM, one certificate" \
  test "$(grep -vc -e '^-----' -e '^[A-Za-z0-9+/=]*$' "$ca")/$(grep -c 'BEGIN CERTIFICATE' "$ca")" = 0/1
check "the CRL file holds one CRL" test "$(grep -c 'BEGIN X509 CRL' "$crl")" = 1
expect 0 "SEP00000000AA01.pem: OK" -- openssl verify -crl_check -CAfile "$ca" -CRLfile "$crl" \
  "$work/SEP00000000AA01.pem"
# The lines to paste, exactly as printed.
grep -E '^(auth|ca-cert|crl|cert-user-oid) = ' "$work/export1.out" >"$work/pasted.conf"
check "four ocserv.conf lines to paste" test "$(wc -l <"$work/pasted.conf")" = 4
expect 0 "^ca-cert = $ca\$" -- cat "$work/pasted.conf"
expect 0 "^crl = $crl\$" -- cat "$work/pasted.conf"
expect 0 '^auth = "certificate"$' -- cat "$work/pasted.conf"
expect 0 '^cert-user-oid = 2.5.4.3$' -- cat "$work/pasted.conf"
expect 0 "export again after every 'device revoke'" -- cat "$work/export1.out"
# To stdout the CA certificates alone, and what to type for the rest; a CRL file that would
# overwrite the CA file is a usage error saying what to type.
"$opencapf" trust export --for ocserv --data "$data" >"$work/stdout.pem" 2>"$work/stderr.txt"
check "to stdout: the same PEM" cmp -s "$work/stdout.pem" "$ca"
expect 0 "give --out NAME.pem to write the CA file and the CRLs beside it" -- cat "$work/stderr.txt"
expect 2 "--crl-out $ca is the --out file; give the CRLs their own file, e.g. --crl-out $crl" -- \
  "$opencapf" trust export --for ocserv --out "$ca" --crl-out "$ca" --data "$data"
expect 2 "Run 'opencapf trust export --help' for its usage" -- \
  "$opencapf" trust export --for ocserv --out "$ca" --crl-out "$etc/../ocserv/opencapf-ca.pem" --data "$data"
cp "$ca" "$work/ca-before.pem"
expect 2 "--crl-out ./opencapf-ca.pem is the --out file" -- \
  bash -c "cd '$etc' && '$opencapf' trust export --for ocserv --out opencapf-ca.pem --crl-out ./opencapf-ca.pem --data '$data'"
check "the refused export left the CA file alone" cmp -s "$ca" "$work/ca-before.pem"
expect 0 "wrote $work/elsewhere.crl: 1 CRL" -- \
  "$opencapf" trust export --for ocserv --out "$work/other-ca.pem" --crl-out "$work/elsewhere.crl" --data "$data"
check "--crl-out: nothing written beside the CA file" test ! -e "$work/other-ca-crl.pem"
expect 0 "wrote $work/pem-crl.pem: 1 CRL" -- \
  "$opencapf" trust export --for pem --out "$work/pem.pem" --crl-out "$work/pem-crl.pem" --data "$data"

# ---- ocserv: a minimal certificate-only server, plus the pasted lines
ocserv_port=$(freeport SOCK_STREAM)
cat >"$work/ocserv.conf" <<EOF
listen-host = 127.0.0.1
tcp-port = $ocserv_port
server-cert = $work/server.pem
server-key = $work/server.key
socket-file = $sockdir/ocserv.sock
pid-file = $work/ocserv.pid
run-as-user = nobody
run-as-group = nogroup
# Its sockets beside sec-mod's, not in /run; no banning of 127.0.0.1 after the refusals below;
# no seccomp or namespaces for the workers (they work here, but fail in some containers, and
# what is tested is which certificates get in).
occtl-socket-file = $sockdir/occtl.socket
use-occtl = true
isolate-workers = false
max-ban-score = 0
rate-limit-ms = 0
max-clients = 16
max-same-clients = 0
auth-timeout = 30
cookie-timeout = 300
# debug: the log names the user each authentication was for
log-level = 3
# Required to start, though 'openconnect --authenticate' never opens the tunnel.
device = vpns
ipv4-network = 192.168.99.0
ipv4-netmask = 255.255.255.0
# ---- pasted from 'opencapf trust export --for ocserv'
$(cat "$work/pasted.conf")
EOF

ocserv_start() {
  "$ocserv" --foreground --config "$work/ocserv.conf" >"$work/ocserv.log" 2>&1 &
  ocserv_pid=$!
  for _ in $(seq 100); do
    grep -q "sec-mod initialized" "$work/ocserv.log" &&
      grep -q "listening (TCP) on 127.0.0.1:$ocserv_port" "$work/ocserv.log" && break
    kill -0 "$ocserv_pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! kill -0 "$ocserv_pid" 2>/dev/null || ! grep -q "sec-mod initialized" "$work/ocserv.log"; then
    tail -30 "$work/ocserv.log" | sed 's/^/    ocserv: /'
    die "ocserv did not start"
  fi
  passed=$((passed + 1))
  ocserv_children=$(pgrep -P "$ocserv_pid" | tr '\n' ' ')
}

# ocserv_reload occtl|hup: 'occtl reload', or SIGHUP to the main process as 'systemctl reload
# ocserv' sends it; waits until ocserv has reloaded.
ocserv_reload() {
  local before
  before=$(grep -c "main: reloading configuration" "$work/ocserv.log")
  if [ "$1" = occtl ]; then
    expect 0 "" -- "$occtl" --socket-file "$sockdir/occtl.socket" reload
  else
    kill -HUP "$ocserv_pid" || die "ocserv is not running to reload"
  fi
  for _ in $(seq 100); do
    [ "$(grep -c "main: reloading configuration" "$work/ocserv.log")" -gt "$before" ] && break
    sleep 0.1
  done
  [ "$(grep -c "main: reloading configuration" "$work/ocserv.log")" -gt "$before" ] ||
    die "ocserv did not reload ($1)"
  sleep 0.5 # the reload is done before main accepts the next connection; sec-mod rereads too
  kill -0 "$ocserv_pid" 2>/dev/null || die "ocserv died reloading: $(tail -5 "$work/ocserv.log")"
}

# vpn NAME CERT KEY accept|refuse [WHY]: openconnect authenticates with CERT; accept means exit 0,
# a COOKIE= line and ocserv naming the user NAME; refuse means a non-zero exit, no cookie, the
# TLS connection made, and ocserv's log saying the certificate failed verification (matching WHY).
vpn() {
  local name=$1 cert=$2 key=$3 want=$4 why=${5:-}
  kill -0 "$ocserv_pid" 2>/dev/null || die "ocserv is not running before $name"
  local mark out rc
  mark=$(wc -l <"$work/ocserv.log")
  out=$(timeout 60 "$openconnect" --authenticate --non-inter --certificate "$cert" --sslkey "$key" \
    --servercert "$pin" "https://127.0.0.1:$ocserv_port/" </dev/null 2>"$work/openconnect.err")
  rc=$?
  local log got=
  for _ in $(seq 50); do
    log=$(tail -n +$((mark + 1)) "$work/ocserv.log")
    if grep -Eq "auth complete \(with cert\) ?for user '$name'" <<<"$log"; then break; fi
    if grep -q "client certificate verification failed" <<<"$log"; then break; fi
    sleep 0.1
  done
  local reached=0
  grep -q "Connected to 127.0.0.1:$ocserv_port" "$work/openconnect.err" &&
    grep -q "Using client certificate" "$work/openconnect.err" && reached=1
  if [ $rc -eq 0 ] && grep -q "^COOKIE='.\+'" <<<"$out" && grep -Eq "auth complete \(with cert\) ?for user '$name'" <<<"$log"; then
    got=accept
  elif [ $rc -ne 0 ] && [ $reached -eq 1 ] && ! grep -q "^COOKIE=" <<<"$out" &&
    grep -q "client certificate verification failed" <<<"$log" &&
    { [ -z "$why" ] || grep -Eq "client certificate verification failed.*($why)" <<<"$log"; }; then
    got=refuse
  else
    got="neither (openconnect exit $rc, reached TLS: $reached)"
  fi
  if [ "$got" = "$want" ]; then
    passed=$((passed + 1))
    if [ "$want" = accept ]; then
      echo "ok: $name → authenticated as user '$name'"
    else
      echo "ok: $name → refused: $(grep -o 'client certificate verification failed.*' <<<"$log" | head -1)"
    fi
  else
    failed=$((failed + 1))
    echo "FAIL: $name: wanted $want${why:+ ($why)}, got $got"
    sed 's/^/    openconnect: /' <<<"$out" | cut -c1-120
    tail -8 "$work/openconnect.err" | sed 's/^/    openconnect: /'
    grep -iE "error|fail|verif|cookie|revok" <<<"$log" | tail -10 | sed 's/^/    ocserv: /'
  fi
  kill -0 "$ocserv_pid" 2>/dev/null || die "ocserv died serving $name: $(tail -5 "$work/ocserv.log")"
}

say "ocserv trusts only the export and its CRLs"
ocserv_start
vpn SEP00000000AA01 "$work/SEP00000000AA01.pem" "$work/SEP00000000AA01.key" accept
vpn SEP00000000AA02 "$work/SEP00000000AA02.pem" "$work/SEP00000000AA02.key" accept
vpn SEP00000000EC01 "$work/SEP00000000EC01.pem" "$work/SEP00000000EC01.key" accept
vpn SEP00000000FF01 "$work/foreign.pem" "$work/foreign.key" refuse "issuer is unknown"

say "device revoke, the export again (CRLs beside it), occtl reload"
"$opencapf" device revoke SEP00000000AA01 --reason key-compromise --data "$data" >/dev/null
serial=$(openssl x509 -in "$work/SEP00000000AA01.pem" -noout -serial | sed 's/serial=//')
expect 0 "wrote $crl: 1 CRL" -- "$opencapf" trust export --for ocserv --out "$ca" --data "$data"
expect 0 "Serial Number: $serial" -- openssl crl -in "$crl" -noout -text
ocserv_reload occtl
vpn SEP00000000AA01 "$work/SEP00000000AA01.pem" "$work/SEP00000000AA01.key" refuse "revoked"
vpn SEP00000000AA02 "$work/SEP00000000AA02.pem" "$work/SEP00000000AA02.key" accept

say "cert regenerate capf --yes: the old LSC stays good, a new phone enrolls under the new CAPF"
old_capf=$(openssl x509 -in "$data/certs/capf.pem" -noout -fingerprint -sha256)
expect 0 "regenerated the capf certificate" -- "$opencapf" cert regenerate capf --yes --data "$data"
check "a new CAPF certificate" \
  test "$old_capf" != "$(openssl x509 -in "$data/certs/capf.pem" -noout -fingerprint -sha256)"
for _ in $(seq 100); do
  grep -q "reloaded; CAPF certificate" "$work/serve.log" && break
  sleep 0.1
done
check "serve reloaded the CAPF certificate" grep -q "reloaded; CAPF certificate" "$work/serve.log"
enrol SEP00000000AA03
expect 0 "SEP00000000AA03.pem: OK" -- \
  openssl verify -CAfile "$data/certs/capf.pem" "$work/SEP00000000AA03.pem"
# Before the export is run again, ocserv does not know the new CAPF.
vpn SEP00000000AA03 "$work/SEP00000000AA03.pem" "$work/SEP00000000AA03.key" refuse
"$opencapf" trust export --for ocserv --out "$ca" --data "$data" >"$work/export2.out" 2>&1
expect 0 "wrote $ca: 2 CA certificates for ocserv" -- cat "$work/export2.out"
expect 0 "wrote $crl: 2 CRLs" -- cat "$work/export2.out"
check "the lines to paste are unchanged" \
  cmp -s "$work/pasted.conf" <(grep -E '^(auth|ca-cert|crl|cert-user-oid) = ' "$work/export2.out")
ocserv_reload hup
vpn SEP00000000AA02 "$work/SEP00000000AA02.pem" "$work/SEP00000000AA02.key" accept
vpn SEP00000000EC01 "$work/SEP00000000EC01.pem" "$work/SEP00000000EC01.key" accept
vpn SEP00000000AA03 "$work/SEP00000000AA03.pem" "$work/SEP00000000AA03.key" accept
vpn SEP00000000AA01 "$work/SEP00000000AA01.pem" "$work/SEP00000000AA01.key" refuse "revoked"
vpn SEP00000000FF01 "$work/foreign.pem" "$work/foreign.key" refuse "issuer is unknown"

# Without the earlier CAPF in ca-cert the old LSC is refused: the export is what counts.
"$opencapf" cert show capf --pem --data "$data" >"$work/only-new.pem"
cp "$ca" "$work/export2.pem"
cp "$work/only-new.pem" "$ca"
ocserv_reload hup
vpn SEP00000000AA02 "$work/SEP00000000AA02.pem" "$work/SEP00000000AA02.key" refuse
vpn SEP00000000AA03 "$work/SEP00000000AA03.pem" "$work/SEP00000000AA03.key" accept
cp "$work/export2.pem" "$ca"
ocserv_reload hup
vpn SEP00000000AA02 "$work/SEP00000000AA02.pem" "$work/SEP00000000AA02.key" accept

say "everything stops"
kill "$ocserv_pid" "$serve_pid" 2>/dev/null
wait "$ocserv_pid" "$serve_pid" 2>/dev/null
check "ocserv stopped" bash -c "! kill -0 $ocserv_pid 2>/dev/null"
for pid in $ocserv_children; do
  for _ in $(seq 50); do running "$pid" || break; sleep 0.1; done
  check "ocserv's process $pid (sec-mod) stopped" stopped "$pid"
done
check "opencapf serve stopped" bash -c "! kill -0 $serve_pid 2>/dev/null"
ocserv_pid=
ocserv_children=
serve_pid=
finish
