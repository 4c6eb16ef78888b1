#!/usr/bin/env bash
# 802.1X for real: a FreeRADIUS server on 127.0.0.1 with a minimal EAP-TLS configuration that
# trusts only `opencapf trust export --for radius` and checks the CRLs opencapf signs, and
# eapol_test (wpa_supplicant's 802.1X supplicant) presenting certificates:
#   - an LSC a phone got through a real CAPF session        → Access-Accept
#   - a certificate from another CA (a MIC or foreign phone) → Access-Reject
#   - that LSC after `device revoke` and a CRL refresh       → Access-Reject
#   - after `cert regenerate capf --yes`: an LSC of the old CAPF → Accept, a new phone → Accept;
#   - with OCSP on (opencapf's responder): LSCs of both CAPF certificates → Accept, and right after
#     `device revoke` → Access-Reject, with the CRL FreeRADIUS holds unchanged.
# Needs Debian's freeradius and eapoltest packages (scripts/install-deps). Starts and stops its own
# `opencapf serve` and FreeRADIUS, on ports the kernel picks, and leaves nothing running.
set -u
opencapf=$1
enroll=$2
. "$(dirname "$0")/../cli/lib.sh"

radiusd=$(command -v freeradius || command -v radiusd || true)
eapol=$(command -v eapol_test || true)
if [ -z "$radiusd" ] || [ -z "$eapol" ]; then
  echo "FAIL: freeradius and eapol_test are needed (scripts/install-deps installs the Debian" \
    "packages freeradius and eapoltest)"
  exit 1
fi

data=$work/data
raddb=$work/raddb
serve_pid=
radius_pid=
cleanup() {
  for pid in $radius_pid $serve_pid; do
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT
say() { echo "== $*"; }

# ---- opencapf: a data directory and a running server (CAPF, TFTP, TVS, OCSP on free ports)
"$opencapf" init --data "$data" >/dev/null
ocsp_port=$(freeport SOCK_STREAM)
"$opencapf" serve --data "$data" --listen 127.0.0.1 --capf-port 0 --tftp-port 0 --tvs-port 0 --http-port 0 --admin-port 0 \
  --ocsp-port "$ocsp_port" --threads 2 >"$work/serve.log" 2>&1 &
serve_pid=$!
capf_port=
for _ in $(seq 100); do
  capf_port=$(sed -n 's/.*capf: listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.log")
  [ -n "$capf_port" ] && break
  sleep 0.1
done
check "opencapf serve started" test -n "$capf_port"
[ -n "$capf_port" ] || { cat "$work/serve.log"; finish; exit 1; }

# enrol NAME: schedules an LSC install and lets the phone simulator enroll through CAPF.
enrol() {
  "$opencapf" device add "$1" --operation install --auth null-string --data "$data" >/dev/null
  expect 0 "enrolled $1: LSC CN=$1" -- \
    "$enroll" 127.0.0.1 "$capf_port" "$1" "$work/$1.pem" "$work/$1.key"
}
say "two phones enroll through CAPF"
enrol SEP00000000AA01
enrol SEP00000000AA02

say "a certificate from another CA (a stand-in for a MIC or a phone from elsewhere)"
foreign_certificate "$work" SEP00000000FF01
# The RADIUS server's own certificate, from yet another CA the supplicant is not asked to check.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/server.key" -out "$work/server.pem" \
  -days 30 -subj "/CN=radius.test" 2>/dev/null

# ---- FreeRADIUS: everything in its own directory, EAP-TLS only
mkdir -p "$raddb" "$work/log" "$work/run"
radius_port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$raddb/radiusd.conf" <<EOF
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = $work
sbindir = /usr/sbin
logdir = $work/log
raddbdir = $raddb
radacctdir = $work/log
name = freeradius
confdir = $raddb
modconfdir = $raddb
certdir = $work
cadir = $work
run_dir = $work/run
db_dir = $work
libdir = /usr/lib/freeradius
pidfile = $work/run/radiusd.pid
max_request_time = 30
cleanup_delay = 2
max_requests = 256
hostname_lookups = no
log {
  destination = files
  file = $work/log/radius.log
  auth = yes
  auth_badpass = no
  auth_goodpass = no
}
security {
  allow_core_dumps = no
  max_attributes = 200
  reject_delay = 0
  status_server = no
  allow_vulnerable_openssl = yes
}
thread pool {
  start_servers = 1
  max_servers = 4
  min_spare_servers = 1
  max_spare_servers = 2
  max_requests_per_server = 0
}
client loopback {
  ipaddr = 127.0.0.1
  secret = opencapf-test
}
modules {
  eap {
    default_eap_type = tls
    timer_expire = 60
    ignore_unknown_eap_types = no
    max_sessions = 64
    tls-config tls-common {
      private_key_file = $work/server.key
      certificate_file = $work/server.pem
      # Only what opencapf exports, followed by its CRLs: nothing else is trusted.
      ca_file = $work/radius-ca.pem
      check_crl = yes
      # Turned on for the OCSP cases at the end (radius_with ... ocsp).
      ocsp {
        enable = no
        override_cert_url = yes
        url = "http://127.0.0.1:$ocsp_port/"
        use_nonce = yes
        timeout = 5
        softfail = no
      }
      cipher_list = "DEFAULT"
      tls_min_version = "1.2"
      tls_max_version = "1.2"
      cache {
        enable = no
      }
    }
    tls {
      tls = tls-common
    }
  }
}
server default {
  listen {
    type = auth
    ipaddr = 127.0.0.1
    port = $radius_port
  }
  authorize {
    eap {
      ok = return
    }
  }
  authenticate {
    eap
  }
}
EOF

# radius_with EXPORT CRL [ocsp]: (re)starts FreeRADIUS trusting exactly EXPORT, with CRL
# appended; with "ocsp", it also asks opencapf's OCSP responder about every certificate.
radius_with() {
  if [ -n "$radius_pid" ]; then kill "$radius_pid" 2>/dev/null; wait "$radius_pid" 2>/dev/null; fi
  local ocsp_enable=no
  [ "${3:-}" = ocsp ] && ocsp_enable=yes
  sed -i "/ocsp {/,/}/ s/enable = .*/enable = $ocsp_enable/" "$raddb/radiusd.conf"
  cat "$1" "$2" >"$work/radius-ca.pem"
  : >"$work/radius.out"
  "$radiusd" -X -d "$raddb" >"$work/radius.out" 2>&1 &
  radius_pid=$!
  for _ in $(seq 100); do
    grep -q "Ready to process requests" "$work/radius.out" && return 0
    kill -0 "$radius_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL: FreeRADIUS did not start:"
  tail -30 "$work/radius.out"
  failed=$((failed + 1))
  return 1
}

# eap NAME CERT KEY WANT: eapol_test authenticates with CERT; WANT is accept or reject.
eap() {
  local name=$1 cert=$2 key=$3 want=$4
  cat >"$work/eapol.conf" <<EOF
network={
  key_mgmt=IEEE8021X
  eap=TLS
  identity="$name"
  client_cert="$cert"
  private_key="$key"
  eapol_flags=0
}
EOF
  local out rc
  out=$("$eapol" -c "$work/eapol.conf" -a 127.0.0.1 -p "$radius_port" -s opencapf-test -t 15 2>&1)
  rc=$?
  local got=reject
  if [ $rc -eq 0 ] && grep -q "^SUCCESS" <<<"$out" && grep -q "Access-Accept" <<<"$out"; then
    got=accept
  elif ! grep -q "Access-Reject" <<<"$out"; then
    got="no answer (exit $rc)"
  fi
  if [ "$got" = "$want" ]; then
    passed=$((passed + 1))
    echo "ok: $name → Access-$(tr a-z A-Z <<<"${want:0:1}")${want:1}"
  else
    failed=$((failed + 1))
    echo "FAIL: $name: wanted $want, got $got"
    grep -E "Access-|EAP-TLS|TLS: |SUCCESS|FAILURE" <<<"$out" | tail -15 | sed 's/^/    eapol: /'
    grep -iE "error|fail|reject|verify" "$work/radius.out" | tail -10 | sed 's/^/    radius: /'
  fi
}

say "FreeRADIUS trusts only the export, with the CRLs"
"$opencapf" trust export --for radius --out "$work/export1.pem" --data "$data" >/dev/null
"$opencapf" trust crl --out "$work/crl1.pem" --data "$data" >/dev/null
check "the export holds the CAPF certificate only" test "$(grep -c 'BEGIN CERTIFICATE' "$work/export1.pem")" = 1
radius_with "$work/export1.pem" "$work/crl1.pem"
eap SEP00000000AA01 "$work/SEP00000000AA01.pem" "$work/SEP00000000AA01.key" accept
eap SEP00000000AA02 "$work/SEP00000000AA02.pem" "$work/SEP00000000AA02.key" accept
eap SEP00000000FF01 "$work/foreign.pem" "$work/foreign.key" reject
check "FreeRADIUS refused the foreign certificate for its issuer" \
  grep -q "unable to get local issuer certificate" "$work/radius.out"

say "device revoke, then the CRL that serve refreshes"
"$opencapf" device revoke SEP00000000AA01 --reason key-compromise --data "$data" >/dev/null
serial=$(openssl x509 -in "$work/SEP00000000AA01.pem" -noout -serial | sed 's/serial=//')
for _ in $(seq 100); do
  openssl crl -in "$data/crl/capf-crls.pem" -noout -text 2>/dev/null | grep -q "Serial Number: $serial" && break
  sleep 0.1
done
expect 0 "Serial Number: $serial" -- openssl crl -in "$data/crl/capf-crls.pem" -noout -text
cp "$data/crl/capf-crls.pem" "$work/crl2.pem"
radius_with "$work/export1.pem" "$work/crl2.pem"
eap SEP00000000AA01 "$work/SEP00000000AA01.pem" "$work/SEP00000000AA01.key" reject
check "FreeRADIUS refused it as revoked" grep -q "certificate revoked" "$work/radius.out"
eap SEP00000000AA02 "$work/SEP00000000AA02.pem" "$work/SEP00000000AA02.key" accept

say "cert regenerate capf --yes: the old LSC stays good, a new phone enrolls under the new CAPF"
old_capf=$(openssl x509 -in "$data/certs/capf.pem" -noout -fingerprint -sha1)
cp "$data/certs/capf.pem" "$work/capf-before.pem"
expect 0 "regenerated the capf certificate" -- "$opencapf" cert regenerate capf --yes --data "$data"
check "a new CAPF certificate" test "$old_capf" != "$(openssl x509 -in "$data/certs/capf.pem" -noout -fingerprint -sha1)"
for _ in $(seq 100); do
  grep -q "reloaded; CAPF certificate" "$work/serve.log" && break
  sleep 0.1
done
check "serve reloaded the CAPF certificate" grep -q "reloaded; CAPF certificate" "$work/serve.log"
enrol SEP00000000AA03
expect 0 "SEP00000000AA03.pem: OK" -- \
  openssl verify -CAfile "$data/certs/capf.pem" "$work/SEP00000000AA03.pem"
expect 0 "2 CA certificates for radius" -- \
  "$opencapf" trust export --for radius --out "$work/export2.pem" --data "$data"
"$opencapf" trust crl --out "$work/crl3.pem" --data "$data" >/dev/null
check "a CRL for each CAPF certificate" test "$(grep -c 'BEGIN X509 CRL' "$work/crl3.pem")" = 2
radius_with "$work/export2.pem" "$work/crl3.pem"
eap SEP00000000AA02 "$work/SEP00000000AA02.pem" "$work/SEP00000000AA02.key" accept
eap SEP00000000AA03 "$work/SEP00000000AA03.pem" "$work/SEP00000000AA03.key" accept
eap SEP00000000AA01 "$work/SEP00000000AA01.pem" "$work/SEP00000000AA01.key" reject
eap SEP00000000FF01 "$work/foreign.pem" "$work/foreign.key" reject

# Without the earlier CAPF in the trust, the old LSC would be refused: the export is what counts.
"$opencapf" cert show capf --pem --data "$data" >"$work/only-new.pem"
radius_with "$work/only-new.pem" "$work/crl3.pem"
eap SEP00000000AA02 "$work/SEP00000000AA02.pem" "$work/SEP00000000AA02.key" reject
eap SEP00000000AA03 "$work/SEP00000000AA03.pem" "$work/SEP00000000AA03.key" accept

say "OCSP: FreeRADIUS asks opencapf about each LSC; a revocation is refused at once"
# ocsp_says CERT ISSUER STATUS: waits (at most 10 s) until the responder answers STATUS.
ocsp_says() {
  for _ in $(seq 50); do
    openssl ocsp -issuer "$2" -cert "$1" -url "http://127.0.0.1:$ocsp_port/" -CAfile "$2" \
      -timeout 5 2>&1 | grep -q ": $3" && return 0
    sleep 0.2
  done
  return 1
}
cp "$work/crl3.pem" "$work/crl-held.pem"
radius_with "$work/export2.pem" "$work/crl-held.pem" ocsp
check "FreeRADIUS has OCSP on" grep -q "enable = yes" "$raddb/radiusd.conf"
eap SEP00000000AA02 "$work/SEP00000000AA02.pem" "$work/SEP00000000AA02.key" accept
eap SEP00000000AA03 "$work/SEP00000000AA03.pem" "$work/SEP00000000AA03.key" accept
check "FreeRADIUS asked the responder" grep -q "ocsp: 127.0.0.1" "$work/serve.log"
"$opencapf" device revoke SEP00000000AA03 --reason key-compromise --data "$data" >/dev/null
check "the responder says revoked (current CAPF key)" ocsp_says "$work/SEP00000000AA03.pem" "$data/certs/capf.pem" revoked
eap SEP00000000AA03 "$work/SEP00000000AA03.pem" "$work/SEP00000000AA03.key" reject
eap SEP00000000AA02 "$work/SEP00000000AA02.pem" "$work/SEP00000000AA02.key" accept
"$opencapf" device revoke SEP00000000AA02 --reason cessation-of-operation --data "$data" >/dev/null
check "the responder says revoked (earlier CAPF key)" ocsp_says "$work/SEP00000000AA02.pem" "$work/capf-before.pem" revoked
eap SEP00000000AA02 "$work/SEP00000000AA02.pem" "$work/SEP00000000AA02.key" reject
check "the CRL FreeRADIUS holds did not change" cmp -s "$work/crl3.pem" "$work/crl-held.pem"
check "FreeRADIUS refused them for OCSP" grep -qi "ocsp.*revoked\|revoked.*ocsp\|Cert status: revoked" "$work/radius.out"

kill "$radius_pid" "$serve_pid" 2>/dev/null
wait "$radius_pid" "$serve_pid" 2>/dev/null
check "FreeRADIUS stopped" bash -c "! kill -0 $radius_pid 2>/dev/null"
check "opencapf serve stopped" bash -c "! kill -0 $serve_pid 2>/dev/null"
radius_pid=
serve_pid=
finish
