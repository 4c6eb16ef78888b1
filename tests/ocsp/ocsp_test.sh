#!/usr/bin/env bash
# The OCSP responder of `opencapf serve`, asked by `openssl ocsp` and curl on 127.0.0.1:
#   - an LSC a phone got through a real CAPF session names the responder (authorityInfoAccess)
#     and its CRL (cRLDistributionPoints), and the CRL is served at that URL;
#   - the LSC is good, with a verified signature and the nonce echoed; revoked after
#     `device revoke` (time and reason), without restarting anything; GET-encoded requests too;
#   - a certificate of another CA is unknown;
#   - malformed, empty and oversized requests get clean answers and the responder keeps serving;
#   - a re-installed phone's replaced LSC is revoked (superseded) once the phone confirms the
#     new one, in OCSP and the CRL;
#   - after `cert regenerate capf --yes` each CAPF key answers for its own LSCs.
set -u
opencapf=$1
enroll=$2
. "$(dirname "$0")/../cli/lib.sh"
say() { echo "== $*"; }

data=$work/data
"$opencapf" init --data "$data" >/dev/null || { echo "FAIL: init"; exit 1; }
ocsp_port=$(freeport SOCK_STREAM)
http_port=$(freeport SOCK_STREAM)
url=http://127.0.0.1:$ocsp_port/
# The URLs new LSCs carry, set as an administrator would in opencapf.toml.
sed -i "s|^ocsp_url = \"\"|ocsp_url = \"$url\"|; s|^crl_url = \"\"|crl_url = \"http://127.0.0.1:$http_port/\"|" \
  "$data/opencapf.toml"
expect 0 "ocsp_url = \"$url\"" -- grep '^ocsp_url' "$data/opencapf.toml"
# [ocsp] port as well (serve is also given --ocsp-port), so that doctor checks that responder.
sed -i "/^\[ocsp\]/,/^\[/ s/^port = 0\$/port = $ocsp_port/" "$data/opencapf.toml"
expect 0 "^port = $ocsp_port\$" -- sed -n '/^\[ocsp\]/,/^\[/p' "$data/opencapf.toml"

serve_pid=
start_serve() {
  "$opencapf" serve --data "$data" --listen 127.0.0.1 --capf-port 0 --tftp-port 0 --tvs-port 0 \
    --http-port "$http_port" --admin-port 0 --ocsp-port "$ocsp_port" --threads 2 \
    >>"$work/serve.log" 2>&1 &
  serve_pid=$!
  for _ in $(seq 100); do grep -q "ocsp: listening" "$work/serve.log" && break; sleep 0.1; done
}
trap 'kill $serve_pid 2>/dev/null; wait $serve_pid 2>/dev/null; rm -rf "$work"' EXIT
start_serve
check "serve runs the OCSP responder" grep -q "ocsp: listening on 127.0.0.1:$ocsp_port" "$work/serve.log"
grep -q "ocsp: listening" "$work/serve.log" || { tail -20 "$work/serve.log"; finish; exit 1; }
capf_port=$(sed -n 's/.*capf: listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.log" | head -1)

enrol() {
  "$opencapf" device add "$1" --operation install --auth null-string --data "$data" >/dev/null
  expect 0 "enrolled $1: LSC CN=$1" -- \
    "$enroll" 127.0.0.1 "$capf_port" "$1" "$work/$1.pem" "$work/$1.key"
}
# ocsp CERT ISSUER [ARGS...]: openssl ocsp asking the responder about CERT, trusting ISSUER.
ocsp() {
  local cert=$1 issuer=$2
  shift 2
  openssl ocsp -issuer "$issuer" -cert "$cert" -url "$url" -CAfile "$issuer" -timeout 5 "$@"
}

say "an LSC names the responder and its CRL"
enrol SEP0000000C0001
enrol SEP0000000C0002
cp "$data/certs/capf.pem" "$work/capf1.pem"
expect 0 "^${url}\$" -- openssl x509 -in "$work/SEP0000000C0001.pem" -noout -ocsp_uri
capf_serial=$(openssl x509 -in "$work/capf1.pem" -noout -serial | sed 's/serial=//' | tr 'A-F' 'a-f')
crl_uri=http://127.0.0.1:$http_port/capf-$capf_serial.crl
expect 0 "URI:$crl_uri" -- openssl x509 -in "$work/SEP0000000C0001.pem" -noout -ext crlDistributionPoints
expect 0 '^200$' -- curl -sS -o "$work/cdp.crl" -w '%{http_code}' "$crl_uri"
expect 0 'verify OK' -- openssl crl -inform DER -in "$work/cdp.crl" -noout -CAfile "$work/capf1.pem"
openssl crl -inform DER -in "$work/cdp.crl" -out "$work/cdp.pem"
expect 0 "SEP0000000C0001.pem: OK" -- openssl verify -crl_check -CAfile "$work/capf1.pem" \
  -CRLfile "$work/cdp.pem" "$work/SEP0000000C0001.pem"

say "good, signed by the CAPF key, nonce echoed"
ocsp "$work/SEP0000000C0001.pem" "$work/capf1.pem" >"$work/good.out" 2>&1
expect 0 "SEP0000000C0001.pem: good" -- cat "$work/good.out"
expect 0 "Response verify OK" -- cat "$work/good.out"
check "the nonce came back" bash -c "! grep -qi 'nonce' '$work/good.out'"
expect 0 "Next Update:" -- cat "$work/good.out"
# The signature is the CAPF certificate's own, and that certificate is the one the response
# carries (clients such as FreeRADIUS look for the signer there).
ocsp "$work/SEP0000000C0001.pem" "$work/capf1.pem" -resp_text >"$work/good.txt" 2>&1
expect 0 "Responder Id: [0-9A-F]{40}" -- cat "$work/good.txt"
check "one certificate inside" test "$(grep -c 'BEGIN CERTIFICATE' "$work/good.txt")" = 1
sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' "$work/good.txt" >"$work/carried.pem"
check "it is the CAPF certificate" cmp -s <(openssl x509 -in "$work/carried.pem" -outform DER) \
  <(openssl x509 -in "$work/capf1.pem" -outform DER)

say "device revoke: revoked, with time and reason, nothing restarted"
"$opencapf" device revoke SEP0000000C0001 --reason key-compromise --data "$data" >/dev/null
for _ in $(seq 50); do
  ocsp "$work/SEP0000000C0001.pem" "$work/capf1.pem" 2>&1 | grep -q ": revoked" && break
  sleep 0.2
done
ocsp "$work/SEP0000000C0001.pem" "$work/capf1.pem" >"$work/revoked.out" 2>&1
expect 0 "SEP0000000C0001.pem: revoked" -- cat "$work/revoked.out"
expect 0 "Reason: keyCompromise" -- cat "$work/revoked.out"
expect 0 "Revocation Time:" -- cat "$work/revoked.out"
expect 0 "Response verify OK" -- cat "$work/revoked.out"
expect 0 "SEP0000000C0002.pem: good" -- ocsp "$work/SEP0000000C0002.pem" "$work/capf1.pem"
check "serve's responder still the one from the start" kill -0 "$serve_pid"

say "the GET form of RFC 6960 appendix A"
openssl ocsp -issuer "$work/capf1.pem" -cert "$work/SEP0000000C0001.pem" -no_nonce \
  -reqout "$work/req.der" >/dev/null 2>&1
b64=$(base64 -w0 "$work/req.der")
encoded=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$b64")
expect 0 '^200$' -- curl -sS -o "$work/get.der" -w '%{http_code}' "$url$encoded"
expect 0 "SEP0000000C0001.pem: revoked" -- openssl ocsp -respin "$work/get.der" \
  -issuer "$work/capf1.pem" -cert "$work/SEP0000000C0001.pem" -CAfile "$work/capf1.pem"
expect 0 "Response verify OK" -- openssl ocsp -respin "$work/get.der" \
  -issuer "$work/capf1.pem" -cert "$work/SEP0000000C0001.pem" -CAfile "$work/capf1.pem"
expect 0 '^200$' -- curl -sS -o "$work/get2.der" -w '%{http_code}' "$url$b64"
check "base64 sent unencoded gets the same answer" cmp -s "$work/get.der" "$work/get2.der"

say "a certificate of another CA is unknown"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/other-ca.key" -out "$work/other-ca.pem" \
  -days 30 -subj "/CN=Other CA" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/other.key" \
  -out "$work/other.csr" -subj "/CN=SEP0000000C00FF" 2>/dev/null
openssl x509 -req -in "$work/other.csr" -CA "$work/other-ca.pem" -CAkey "$work/other-ca.key" \
  -CAcreateserial -days 30 -out "$work/other.pem" 2>/dev/null
expect 0 "other.pem: unknown" -- openssl ocsp -issuer "$work/other-ca.pem" -cert "$work/other.pem" \
  -url "$url" -VAfile "$work/capf1.pem" -timeout 5

say "bad requests: clean answers, the responder keeps serving"
malformed_hex() { curl -sS --data-binary "$1" -H 'Content-Type: application/ocsp-request' "$url" | xxd -p; }
expect 0 '^30030a0101$' -- malformed_hex 'not an OCSP request'
expect 0 '^30030a0101$' -- bash -c "curl -sS -X POST -H 'Content-Type: application/ocsp-request' --data-binary '' '$url' | xxd -p"
head -c 70000 /dev/zero >"$work/big.bin"
expect 0 '^413$' -- curl -sS -o /dev/null -w '%{http_code}' --data-binary @"$work/big.bin" "$url"
expect 0 '^400$' -- curl -sS -o /dev/null -w '%{http_code}' "${url}not-base64*"
expect 0 '^3003' -- bash -c "head -c 20 '$work/req.der' | curl -sS --data-binary @- '$url' | xxd -p"
expect 0 "malformedRequest" -- grep "ocsp: 127.0.0.1" "$work/serve.log"
expect 0 "SEP0000000C0002.pem: good" -- ocsp "$work/SEP0000000C0002.pem" "$work/capf1.pem"

say "a re-install: the replaced LSC is revoked (superseded) once the phone holds the new one"
enrol SEP0000000C0004
cp "$work/SEP0000000C0004.pem" "$work/C0004-first.pem"
"$opencapf" device set SEP0000000C0004 --operation install --data "$data" >/dev/null
expect 0 "enrolled SEP0000000C0004" -- \
  "$enroll" 127.0.0.1 "$capf_port" SEP0000000C0004 "$work/SEP0000000C0004.pem" "$work/SEP0000000C0004.key"
check "the phone got a new LSC" bash -c "! cmp -s '$work/C0004-first.pem' '$work/SEP0000000C0004.pem'"
for _ in $(seq 50); do
  ocsp "$work/C0004-first.pem" "$work/capf1.pem" 2>&1 | grep -q ": revoked" && break
  sleep 0.2
done
ocsp "$work/C0004-first.pem" "$work/capf1.pem" >"$work/superseded.out" 2>&1
expect 0 "C0004-first.pem: revoked" -- cat "$work/superseded.out"
expect 0 "Reason: superseded" -- cat "$work/superseded.out"
expect 0 "SEP0000000C0004.pem: good" -- ocsp "$work/SEP0000000C0004.pem" "$work/capf1.pem"
first_serial=$(openssl x509 -in "$work/C0004-first.pem" -noout -serial | sed 's/serial=//')
expect 0 "Serial Number: $first_serial" -- openssl crl -in "$data/crl/capf-crls.pem" -noout -text
expect 0 "revoked \(superseded by" -- "$opencapf" device show SEP0000000C0004 --data "$data"

say "cert regenerate capf --yes: each CAPF key answers for its own LSCs"
expect 0 "regenerated the capf certificate" -- "$opencapf" cert regenerate capf --yes --data "$data"
for _ in $(seq 100); do grep -q "reloaded; CAPF certificate" "$work/serve.log" && break; sleep 0.1; done
check "serve reloaded the CAPF certificate" grep -q "reloaded; CAPF certificate" "$work/serve.log"
for _ in $(seq 50); do grep -q "ocsp: answering for 2 CAPF" "$work/serve.log" && break; sleep 0.1; done
cp "$data/certs/capf.pem" "$work/capf2.pem"
enrol SEP0000000C0003
expect 0 "SEP0000000C0003.pem: good" -- ocsp "$work/SEP0000000C0003.pem" "$work/capf2.pem"
expect 0 "Response verify OK" -- ocsp "$work/SEP0000000C0003.pem" "$work/capf2.pem"
expect 0 "SEP0000000C0002.pem: good" -- ocsp "$work/SEP0000000C0002.pem" "$work/capf1.pem"
expect 0 "Response verify OK" -- ocsp "$work/SEP0000000C0002.pem" "$work/capf1.pem"
expect 0 "SEP0000000C0001.pem: revoked" -- ocsp "$work/SEP0000000C0001.pem" "$work/capf1.pem"
new_serial=$(openssl x509 -in "$work/capf2.pem" -noout -serial | sed 's/serial=//' | tr 'A-F' 'a-f')
expect 0 "capf-$new_serial.crl" -- openssl x509 -in "$work/SEP0000000C0003.pem" -noout -ext crlDistributionPoints

say "the renewal plan: nothing ends within 30 days yet"
expect 0 "no LSC ends within 30 days" -- "$opencapf" report --renewals --data "$data"
expect 0 '"before_days": 30' -- "$opencapf" report --renewals --format json --data "$data"
expect 2 "takes --format table or json only" -- "$opencapf" report --renewals --format csv --data "$data"
expect 0 "OK +renewal: no LSC ends within 30 days" -- bash -c "'$opencapf' doctor --data '$data' --timeout 1 2>&1 | grep renewal"

say "doctor: the responder answers and signs as head-ends trust; the CRL URL serves a current CRL"
doctor_revocation() { "$opencapf" doctor --data "$data" --timeout 2 2>&1 | grep -E "(ocsp|crl) "; }
expect 0 "OK +ocsp 127.0.0.1:$ocsp_port: the OCSP responder answers, signed by the CAPF certificate" -- doctor_revocation
expect 0 "OK +crl http://127.0.0.1:$http_port/capf-$new_serial.crl: the CRL LSCs point at is the CAPF certificate's" -- doctor_revocation

say "restarted, it answers the same"
kill "$serve_pid"; wait "$serve_pid" 2>/dev/null
expect 0 "FAIL +ocsp 127.0.0.1:$ocsp_port: the OCSP responder: it does not answer" -- doctor_revocation
expect 0 "FAIL +crl http://127.0.0.1:$http_port/capf-$new_serial.crl: the CRL LSCs point at cannot be fetched" -- doctor_revocation
start_serve
expect 0 "SEP0000000C0001.pem: revoked" -- ocsp "$work/SEP0000000C0001.pem" "$work/capf1.pem"
expect 0 "SEP0000000C0003.pem: good" -- ocsp "$work/SEP0000000C0003.pem" "$work/capf2.pem"

finish
