#!/usr/bin/env bash
# Every troubleshooting case of the LSC procedure, reproduced end to end: a real `opencapf serve`
# (CAPF, TFTP, TVS on 127.0.0.1), the phone simulator (`opencapf phone enroll`), and
# `opencapf doctor` — each case asserts both what the phone shows and what doctor diagnoses.
# Where a TFTP server must serve a file of our choosing (an ITL without a CAPF record, an old
# ITL, a corrupt one) a real, independent TFTP server from Debian serves it (tftpd-hpa).
# Then load: 200 sessions at concurrency 20 against serve, zero errors.
set -u
opencapf=$1
. "$(dirname "$0")/lib.sh"

tftpd=/usr/sbin/in.tftpd
if [ ! -x "$tftpd" ]; then
  echo "FAIL: $tftpd is missing: scripts/install-deps installs tftpd-hpa"
  exit 1
fi

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT



# Conditions wait_for polls (each evaluated anew on every try).
grep_count_above() { [ "$(grep -c -- "$1" "$2")" -gt "$3" ]; }
time_past() { [ "$(date +%s)" -gt "$1" ]; }

udp_bound() {  # true once something holds 127.0.0.1:PORT/udp
  python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(0)
sys.exit(1)' "$1"
}

# expect_order FILE FIRST SECOND: FIRST appears on a line before SECOND.
expect_order() {
  local a b
  a=$(grep -n -m1 -F -- "$2" "$1" | cut -d: -f1)
  b=$(grep -n -m1 -F -- "$3" "$1" | cut -d: -f1)
  check "'$2' before '$3'" test -n "$a" -a -n "$b" -a "${a:-0}" -lt "${b:-0}"
}

data=$work/data
capf_port=$(freeport SOCK_STREAM)
tvs_port=$(freeport SOCK_STREAM)
tftp_port=$(freeport SOCK_DGRAM)
http_port=$(freeport SOCK_STREAM)
"$opencapf" init --data "$data" >/dev/null || { echo "FAIL: init"; exit 1; }
# Where the services are, as an administrator configures them; `device cnf --apply` writes the
# CAPF host and port into each phone's configuration from here.
sed -i -e 's/^listen_address = .*/listen_address = "127.0.0.1"/' \
  -e "s/^port = 3804\$/port = $capf_port/" -e "s/^port = 69\$/port = $tftp_port/" \
  -e "s/^port = 2445\$/port = $tvs_port/" -e "s/^port = 6970\$/port = $http_port/" -e 's/^host = ""$/host = "127.0.0.1"/' \
  "$data/opencapf.toml"

# A manufacturing CA the server trusts, and another, untrusted one that issues our MIC.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/mfg.key" -out "$work/mfg.pem" \
  -subj "/CN=Trusted Manufacturing CA/O=Test" -days 3650 2>/dev/null
mkdir -p "$data/trust" && cp "$work/mfg.pem" "$data/trust/manufacturing-ca.pem"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/rogue.key" -out "$work/rogue.pem" \
  -subj "/CN=Rogue Manufacturing CA/O=Elsewhere" -days 3650 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$work/mic.key" -out "$work/mic.csr" \
  -subj "/CN=CP-8845-SEP0011223344C6/O=Elsewhere" 2>/dev/null
openssl x509 -req -in "$work/mic.csr" -CA "$work/rogue.pem" -CAkey "$work/rogue.key" \
  -set_serial 0x4D1C -days 3650 -out "$work/mic-cert.pem" 2>/dev/null
cat "$work/mic-cert.pem" "$work/mic.key" >"$work/mic.pem"

serve_pid=
start_serve() {
  : >"$work/serve.log"
  "$opencapf" serve --data "$data" --listen 127.0.0.1 --capf-port "$capf_port" \
    --tftp-port "$tftp_port" --tvs-port "$tvs_port" --http-port "$http_port" --admin-port 0 --threads 2 >>"$work/serve.log" 2>&1 &
  serve_pid=$!
  pids+=("$serve_pid")
  wait_for "serve to listen" 60 grep -q "tvs: listening" "$work/serve.log" ||
    { cat "$work/serve.log"; exit 1; }
}
stop_serve() {
  kill "$serve_pid" && wait "$serve_pid" 2>/dev/null
}

# serve_dir DIR: an independent TFTP server (tftpd-hpa) serving DIR, each NAME.cnf.xml with its
# NAME.cnf.xml.sgn; sets $dir_port.
serve_dir() {
  # The phones' ITL lists the CallManager/TFTP certificate, so they ask for their configuration
  # signed, as another TFTP server of the cluster would serve it.
  for f in "$1"/*.cnf.xml; do
    [ -e "$f" ] && "$opencapf" sgn build "$f" --data "$data" >/dev/null
  done
  chmod 755 "$1"
  chmod 644 "$1"/* 2>/dev/null
  dir_port=$(freeport SOCK_DGRAM)
  "$tftpd" -L -s "$1" --address "127.0.0.1:$dir_port" &
  pids+=($!)
  wait_for "tftpd-hpa on $dir_port" 20 udp_bound "$dir_port"
}

enroll() { "$opencapf" phone enroll "$@" --timeout 5; }
doctor() { "$opencapf" doctor --data "$data" --timeout 2 "$@"; }
dev() { "$opencapf" device "$@" --data "$data"; }
local_tftp="127.0.0.1:$tftp_port"

start_serve

# ---- 1. Happy path: null string, RSA 2048 → LSC: Pending, LSC: Installed, Upgrade Success.
phone1=SEP001122334455
dev add $phone1 --operation install --auth null-string >/dev/null
dev cnf $phone1 --apply >/dev/null
enroll $phone1 --tftp "$local_tftp" --state "$work/p1" >"$work/1.out" 2>&1
check "case 1: phone enroll exits 0" test $? -eq 0
expect 0 "KEY_GEN_REQUEST rsa:2048" -- cat "$work/1.out"
expect_order "$work/1.out" "LSC: Pending" "LSC: Installed"
expect 0 "Certificate Operation Status: +Upgrade Success" -- dev show $phone1
expect 0 "LSC: +Installed" -- "$opencapf" phone status --state "$work/p1"
expect 0 "Subject: +CN=SEP001122334455" -- "$opencapf" phone status --state "$work/p1"
check "case 1: the LSC key is private" test "$(stat -c %a "$work/p1/lsc.key")" = 600
expect 0 "OK   itl-capf 127\.0\.0\.1:$tftp_port: the ITL's CAPF record matches" -- doctor
expect 0 "0 WARN, 0 FAIL" -- doctor --device $phone1

# ---- 2. ITL without a CAPF record → No valid CAPF server; doctor names the missing record.
mkdir -p "$work/nocapf"
cat "$data/certs/itlrecovery.pem" "$data/certs/itlrecovery.key" >"$work/signer.pem"
"$opencapf" itl build "$work/nocapf/ITLFile.tlv" --signer "$work/signer.pem" \
  --ccm-tftp "$data/certs/callmanager.pem" --tvs "$data/certs/tvs.pem" >/dev/null
phone2=SEP0011223344A2
dev add $phone2 --operation install >/dev/null
dev cnf $phone2 --apply >/dev/null
cp "$data/tftp/$phone2.cnf.xml" "$work/nocapf/"
serve_dir "$work/nocapf"
expect 3 "No valid CAPF server" -- enroll $phone2 --tftp "127.0.0.1:$dir_port"
expect 1 "FAIL itl-capf 127\.0\.0\.1:$dir_port: ITLFile.tlv has no CAPF record" -- \
  doctor --tftp "127.0.0.1:$dir_port"
expect 1 "restart TFTP on every TFTP server" -- doctor --tftp "127.0.0.1:$dir_port"

# ---- 3. CAPF regenerated while an old ITL is still served → LSC: Connection failed; doctor
#         names the mismatch between the ITL's CAPF record and the certificate CAPF presents.
mkdir -p "$work/old"
cp "$work/p1/itl.tlv" "$work/old/ITLFile.tlv"
cp "$data/tftp/$phone1.cnf.xml" "$work/old/"
reloads=$(grep -c "reloaded" "$work/serve.log")
"$opencapf" cert regenerate capf --yes --data "$data" >/dev/null ||
  { failed=$((failed + 1)); echo "FAIL: cert regenerate capf"; }
wait_for "serve to reload the new CAPF certificate" 30 \
  grep_count_above reloaded "$work/serve.log" "$reloads"
serve_dir "$work/old"
old_port=$dir_port
dev set $phone1 --operation install --complete-by +2h >/dev/null
enroll $phone1 --tftp "127.0.0.1:$old_port" --state "$work/p1" >"$work/3.out" 2>&1
check "case 3: phone enroll exits 4" test $? -eq 4
expect 0 "does not match the ITL's CAPF record" -- cat "$work/3.out"
expect 0 "^LSC: Connection failed" -- cat "$work/3.out"
expect 1 "FAIL itl-capf 127\.0\.0\.1:$old_port: the ITL's CAPF record .* does not match the certificate CAPF presents" -- \
  doctor --tftp "127.0.0.1:$old_port" --tftp "$local_tftp"
expect 1 "OK   itl-capf 127\.0\.0\.1:$tftp_port" -- doctor --tftp "127.0.0.1:$old_port" --tftp "$local_tftp"
# The fix: the phone takes the rebuilt ITL (same signer) from the live server and enrolls.
expect 0 "LSC: Installed" -- enroll $phone1 --tftp "$local_tftp" --state "$work/p1"

# ---- 4. CAPF not listening → LSC: Connection failed; doctor says CAPF is down. serve stops;
#         another TFTP server still serves the current ITL.
mkdir -p "$work/live"
cp "$work/p1/itl.tlv" "$work/live/ITLFile.tlv"
cp "$data/tftp/$phone1.cnf.xml" "$work/live/"
stop_serve
serve_dir "$work/live"
dev set $phone1 --operation install --complete-by +2h >/dev/null
enroll $phone1 --tftp "127.0.0.1:$dir_port" --state "$work/p1" >"$work/4.out" 2>&1
check "case 4: phone enroll exits 4" test $? -eq 4
expect 0 "cannot connect to 127\.0\.0\.1 port $capf_port" -- cat "$work/4.out"
expect 0 "^LSC: Connection failed" -- cat "$work/4.out"
expect 1 "FAIL capf: CAPF is down: nothing answers on 127\.0\.0\.1:$capf_port" -- \
  doctor --tftp "127.0.0.1:$dir_port"
start_serve

# ---- 5. Operation Completes By passed → LSC: Failed, Upgrade Failed: User Initiated Request
#         Late/Timedout; doctor names the deadline.
phone5=SEP0011223344B5
dev add $phone5 --operation install --complete-by +2s >/dev/null
dev cnf $phone5 --apply >/dev/null
deadline=$(($(date +%s) + 3))
wait_for "the deadline to pass" 10 time_past "$deadline"
expect 1 "^LSC: Failed" -- enroll $phone5 --tftp "$local_tftp"
expect 0 "Upgrade Failed: User Initiated Request Late/Timedout" -- dev show $phone5
expect 1 "FAIL device $phone5 deadline: Install/Upgrade scheduled, but Operation Completes By .* passed" -- \
  doctor --device $phone5
expect 1 "User Initiated Request Late/Timedout" -- doctor --device $phone5

# ---- 6. By Existing Certificate (Precedence to LSC), but the phone only has a MIC, from a CA
#         the server does not trust → LSC: Failed; doctor names the mode and the certificate.
phone6=SEP0011223344C6
dev add $phone6 --operation install --auth existing-lsc >/dev/null
dev cnf $phone6 --apply >/dev/null
enroll $phone6 --tftp "$local_tftp" --mic "$work/mic.pem" --state "$work/p6" >"$work/6.out" 2>&1
check "case 6: phone enroll exits 1" test $? -eq 1
expect 0 "authenticating with its MIC CN=CP-8845-SEP0011223344C6" -- cat "$work/6.out"
expect 0 "^LSC: Failed" -- cat "$work/6.out"
expect 0 "Upgrade Failed: Authentication Failed" -- dev show $phone6
expect 1 "device $phone6 auth: By Existing Certificate \(Precedence to LSC\): no LSC is on record for this phone, so it presents its MIC" -- \
  doctor --device $phone6
expect 1 "FAIL device $phone6 last-session: .*its MIC does not chain to a trusted manufacturing CA" -- \
  doctor --device $phone6

# ---- 7. A processNodeName that does not resolve → the phone's resolve log and LSC: Connection
#         failed; doctor names the host.
phone7=SEP0011223344D7
dev add $phone7 --operation install >/dev/null
sed -i 's/^host = "127.0.0.1"$/host = "capf-nx.invalid"/' "$data/opencapf.toml"
dev cnf $phone7 --apply >/dev/null
sed -i 's/^host = "capf-nx.invalid"$/host = "127.0.0.1"/' "$data/opencapf.toml"
enroll $phone7 --tftp "$local_tftp" >"$work/7.out" 2>&1
check "case 7: phone enroll exits 4" test $? -eq 4
expect 0 "Failed to resolve CAPF Ipv4 Address with hostname capf-nx.invalid" -- cat "$work/7.out"
expect 0 "^LSC: Connection failed" -- cat "$work/7.out"
expect 1 "FAIL resolve capf-nx.invalid: the CAPF host name 'capf-nx.invalid' does not resolve .*$phone7.cnf.xml" -- \
  doctor --device $phone7

# ---- 8. A corrupt ITL → the phone refuses it (and keeps the one it had); doctor says it is
#         corrupt and how to recover (re-sign with the recovery key).
mkdir -p "$work/corrupt"
cp "$work/p1/itl.tlv" "$work/corrupt/ITLFile.tlv"
# One byte 200 from the end inverted (setting it to a fixed value left the file intact whenever it
# already held that value: a rare flake).
python3 -c 'import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[-200] ^= 0xFF; open(p, "wb").write(b)' \
  "$work/corrupt/ITLFile.tlv"
cp "$data/tftp/$phone1.cnf.xml" "$work/corrupt/"
serve_dir "$work/corrupt"
enroll $phone1 --tftp "127.0.0.1:$dir_port" >"$work/8.out" 2>&1
check "case 8: a new phone refuses it: exit 5" test $? -eq 5
expect 0 "^Trust List Update Failed" -- cat "$work/8.out"
expect 0 "ITLFile.tlv refused: its signature does not verify" -- cat "$work/8.out"
expect 0 "keeping the ITL installed before" -- enroll $phone1 --tftp "127.0.0.1:$dir_port" --state "$work/p1"
expect 1 "FAIL itl 127\.0\.0\.1:$dir_port: ITLFile.tlv is corrupt" -- doctor --tftp "127.0.0.1:$dir_port"
expect 1 "re-sign the ITL with the recovery key.*utils itl reset localkey" -- \
  doctor --tftp "127.0.0.1:$dir_port"

# ---- doctor --json is one object with every check
expect 1 '"checks": \[' -- doctor --json --tftp "127.0.0.1:$dir_port"

# ---- Load: 200 sessions at concurrency 20 against serve, zero errors.
{
  echo "name,operation,auth"
  for i in $(seq 1 200); do printf 'SEP00AA%08X,install,null-string\n' "$i"; done
} >"$work/load.csv"
dev import "$work/load.csv" >/dev/null
"$opencapf" phone load --capf "127.0.0.1:$capf_port" --capf-cert "$data/certs/capf.pem" \
  --count 200 --prefix SEP00AA --concurrency 20 --key rsa:2048 --key-pool 20 --json \
  >"$work/load.json" 2>&1
check "load: exits 0" test $? -eq 0
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d) == {"sessions", "ok", "errors", "rate_per_s", "latency_ms", "errors_by_reason", "succeeded"}, d
assert len(d["succeeded"]) == 200 and len(set(d["succeeded"])) == 200, d
assert d["sessions"] == 200 and d["ok"] == 200 and d["errors"] == 0, d
assert d["errors_by_reason"] == {}, d
assert set(d["latency_ms"]) == {"p50", "p90", "p99"}, d
print("load:", d, file=sys.stderr)' "$work/load.json"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  echo "FAIL: load JSON"
  cat "$work/load.json"
fi
expect 0 "Installed +200" -- bash -c "'$opencapf' device list --lsc-status installed --data '$data' | grep -c SEP00AA | sed 's/^/Installed  /'"

stop_serve
finish
