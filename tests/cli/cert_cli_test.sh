#!/usr/bin/env bash
# `opencapf cert ...`, `trust export`, `trust crl` and `device revoke` as an administrator types
# them, against a test CA run with the openssl command line: every refusal leaves the files as
# they were; CSR → CA → import while `serve` runs → a phone enrolls through a real CAPF session →
# its LSC chains to the test root (openssl verify), and is refused once revoked (CRL check).
set -u
opencapf=$1
enroll=$2
. "$(dirname "$0")/lib.sh"
data=$work/data
ca=$work/ca
serve_pid=
cleanup() {
  if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
cert() { "$opencapf" cert "$@" --data "$data"; }
state() { (cd "$data/certs" && find . -type f ! -name '.updating' | sort | xargs sha256sum); }
# unchanged DESCRIPTION: the certificate files are what they were at the last `snap`.
snap() { state >"$work/snap"; }
unchanged() { check "$1: nothing changed" diff -q <(state) "$work/snap"; }

# ---- a data directory, and what cert list/show say about it
expect 1 "is not an opencapf data directory.*opencapf init --data" -- \
  "$opencapf" cert list --data "$work/nodata"
expect 0 'initialised' -- "$opencapf" init --data "$data"
expect 0 "^NAME +ROLE +KEY +NOT BEFORE +NOT AFTER +DAYS LEFT +IN ITL" -- cert list
expect 0 "^capf +CAPF \(issues LSCs\) +RSA 2048 +[0-9-]{10} +[0-9-]{10} +18[0-9]{2} days left +yes" -- cert list
expect 0 "^itlrecovery +ITLRecovery \(SAST, signs the ITL\) +RSA 2048 .* +7[0-9]{3} days left +yes" -- cert list
expect 0 "subject CN=CAPF-[0-9a-f]{8},OU=Telephony,O=opencapf" -- cert list
check "cert list --json" python3 -c "
import json, subprocess, sys
d = json.loads(subprocess.check_output(['$opencapf', 'cert', 'list', '--json', '--data', '$data']))
names = [x['name'] for x in d]
assert names == ['capf', 'callmanager', 'tvs', 'itlrecovery', 'admin'], names
c = d[0]
assert c['in_itl'] is True and c['key'] == 'RSA 2048' and c['days_left'] > 1800, c
assert len(c['sha256']) == 95 and c['chain'] == [] and c['subject'].startswith('CN=CAPF-'), c
"
expect 0 "^callmanager: CallManager/TFTP \(CCM\+TFTP\)" -- cert show tftp
expect 0 "CA +yes" -- cert show capf
expect 2 "'bogus' is not a service certificate; the names are capf, callmanager" -- cert show bogus
cert show capf --pem >"$work/capf-shown.pem"
check "cert show --pem is the certificate" cmp -s <(openssl x509 -in "$work/capf-shown.pem" -outform der) \
  <(openssl x509 -in "$data/certs/capf.pem" -outform der)

# ---- regenerate: refused without --yes, saying what would happen; nothing changes
snap
expect 1 "not done: this needs --yes" -- cert regenerate capf
expect 1 "rebuild ITLFile.tlv at once.*every phone must take the new ITL" -- cert regenerate capf
expect 1 "existing LSCs valid.*certs/previous/ as a trusted issuer.*until the last LSC it signed expires" -- \
  cert regenerate capf
expect 1 "run again with --yes to do it: opencapf cert regenerate capf --key ec:384 --yes" -- \
  cert regenerate capf --key ec:384
unchanged "regenerate without --yes"
expect 2 "--key: key 'dsa:1024'" -- cert regenerate capf --key dsa:1024 --yes
expect 2 "is not a service certificate" -- cert regenerate nope --yes
expect 1 "nothing changed: the ITLRecovery certificate signs the ITL and must be RSA" -- \
  cert regenerate itlrecovery --key ec:256 --yes
unchanged "an EC ITLRecovery key"

# ---- regenerate each kind
for name in capf callmanager tvs itlrecovery; do
  before=$(openssl x509 -in "$data/certs/$name.pem" -noout -fingerprint -sha256)
  expect 0 "regenerated the $name certificate" -- cert regenerate "$name" --yes
  after=$(openssl x509 -in "$data/certs/$name.pem" -noout -fingerprint -sha256)
  check "$name: a new certificate" test "$before" != "$after"
  check "$name: key and certificate belong together" cmp -s \
    <(openssl x509 -in "$data/certs/$name.pem" -noout -pubkey) \
    <(openssl pkey -in "$data/certs/$name.key" -pubout)
  check "$name: key mode 0600" test "$(stat -c %a "$data/certs/$name.key")" = 600
done
expect 0 "RSA 2048" -- cert show tvs
expect 0 "regenerated the tvs certificate" -- cert regenerate tvs --key ec:256 --days 30 --yes
expect 0 "key +EC 256" -- cert show tvs
expect 0 "^tvs .* +(29|30) days left" -- cert list
check "one earlier CAPF kept, with its key 0600" test "$(ls "$data/certs/previous"/*.key | wc -l)" = 1 -a \
  "$(stat -c %a "$data"/certs/previous/*.key)" = 600
expect 0 "^capf \(old\) +earlier CAPF, trusted issuer" -- cert list

# ---- a test CA (root and intermediate), with the openssl command line
mkdir -p "$ca"
cat >"$ca/ca.cnf" <<EOF
[ca]
default_ca = test
[test]
dir = $ca
database = $ca/index.txt
new_certs_dir = $ca
serial = $ca/serial
default_md = sha256
default_days = 365
policy = anything
copy_extensions = none
unique_subject = no
[anything]
commonName = supplied
organizationalUnitName = optional
organizationName = optional
[subca]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,digitalSignature,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[notca]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[nocertsign]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[intermediate]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
: >"$ca/index.txt"
echo 1000 >"$ca/serial"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$ca/root.key" -out "$ca/root.pem" -days 3650 \
  -subj "/CN=Test Root CA/O=Example" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout "$ca/inter.key" -out "$ca/inter.csr" \
  -subj "/CN=Test Issuing CA/O=Example" 2>/dev/null
openssl ca -batch -config "$ca/ca.cnf" -cert "$ca/root.pem" -keyfile "$ca/root.key" -extensions intermediate \
  -days 3000 -notext -in "$ca/inter.csr" -out "$ca/inter.pem" 2>/dev/null
cat "$ca/inter.pem" "$ca/root.pem" >"$ca/chain.pem"
# sign CSR OUT EXTENSIONS [openssl ca options]: the issuing CA signs a request.
sign() {
  local csr=$1 out=$2 ext=$3
  shift 3
  openssl ca -batch -config "$ca/ca.cnf" -cert "$ca/inter.pem" -keyfile "$ca/inter.key" \
    -extensions "$ext" -notext -in "$csr" -out "$out" "$@" 2>"$work/ca.err" ||
    { echo "openssl ca failed:"; cat "$work/ca.err"; }
}
check "test CA made" openssl verify -CAfile "$ca/root.pem" "$ca/inter.pem"

# ---- csr: from a fresh pending key, with the CA extensions a CAPF certificate needs
snap
expect 0 "certificate signing request for the capf certificate: $work/capf.csr" -- \
  cert csr capf --new-key --out "$work/capf.csr"
check "the CSR verifies" openssl req -in "$work/capf.csr" -verify -noout
expect 0 "CA:TRUE, pathlen:0" -- openssl req -in "$work/capf.csr" -noout -text
expect 0 "Certificate Sign, CRL Sign" -- openssl req -in "$work/capf.csr" -noout -text
check "pending key 0600" test "$(stat -c %a "$data/certs/pending/capf.key")" = 600
check "the CSR holds the pending key" cmp -s <(openssl req -in "$work/capf.csr" -noout -pubkey) \
  <(openssl pkey -in "$data/certs/pending/capf.key" -pubout)
expect 0 "pending a key for a CSR waits in" -- cert list
expect 0 "BEGIN CERTIFICATE REQUEST" -- cert csr tvs --subject "CN=pub1-tvs,O=Example"
expect 0 "Subject: CN ?= ?pub1-tvs, O ?= ?Example" -- \
  bash -c "'$opencapf' cert csr tvs --subject 'CN=pub1-tvs,O=Example' --data '$data' 2>/dev/null | openssl req -noout -text"
expect 2 "--subject: subject 'nonsense'" -- cert csr tvs --subject nonsense
expect 2 "--key makes a fresh key: give --new-key" -- cert csr tvs --key rsa:4096
expect 1 "ITLRecovery certificate signs the ITL and must be RSA" -- cert csr itlrecovery --new-key --key ec:256

# ---- import: each refusal says what is wrong and changes nothing
sign "$work/capf.csr" "$work/capf-signed.pem" subca
openssl req -new -newkey rsa:2048 -nodes -keyout "$work/other.key" -out "$work/other.csr" \
  -subj "/CN=CAPF-other" 2>/dev/null
sign "$work/other.csr" "$work/other-signed.pem" subca
sign "$work/capf.csr" "$work/capf-notca.pem" notca
sign "$work/capf.csr" "$work/capf-nocertsign.pem" nocertsign
sign "$work/capf.csr" "$work/capf-expired.pem" subca -startdate 20200101000000Z -enddate 20210101000000Z
sign "$work/capf.csr" "$work/capf-future.pem" subca -startdate 20990101000000Z -enddate 20991231000000Z
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/stranger.key" -out "$work/stranger.pem" \
  -days 30 -subj "/CN=Stranger CA" 2>/dev/null
snap
expect 1 "nothing changed: .*other-signed.pem \(CN=CAPF-other\) is for another key: it matches neither the pending key .* nor the current capf key" -- \
  cert import capf "$work/other-signed.pem" --chain "$ca/chain.pem"
unchanged "wrong key"
expect 1 "nothing changed: .* is not a CA certificate \(basicConstraints CA:TRUE is missing\): phones" -- \
  cert import capf "$work/capf-notca.pem" --chain "$ca/chain.pem"
unchanged "non-CA CAPF certificate"
expect 1 "nothing changed: .* lacks keyUsage keyCertSign" -- \
  cert import capf "$work/capf-nocertsign.pem" --chain "$ca/chain.pem"
unchanged "no keyCertSign"
expect 1 "nothing changed: .* expired on 2021-01-01 00:00:00 UTC" -- \
  cert import capf "$work/capf-expired.pem" --chain "$ca/chain.pem"
unchanged "expired"
expect 1 "nothing changed: .* is not valid before 2099-01-01" -- \
  cert import capf "$work/capf-future.pem" --chain "$ca/chain.pem"
unchanged "not yet valid"
expect 1 "nothing changed: .*does not chain to the chain given" -- \
  cert import capf "$work/capf-signed.pem" --chain "$work/stranger.pem"
unchanged "chain of another CA"
expect 1 "nothing changed: .*does not chain to the chain given" -- \
  cert import capf "$work/capf-signed.pem" --chain "$ca/root.pem"
unchanged "chain without the intermediate"
expect 1 "nothing changed: .*issued by CN=Test Issuing CA,O=Example, and no chain was given: give .* --chain" -- \
  cert import capf "$work/capf-signed.pem"
unchanged "no chain"
expect 1 "nothing changed: .*missing.pem: cannot open" -- cert import capf "$work/missing.pem"
expect 1 "nothing changed: .*no PEM certificate" -- cert import capf "$work/capf.csr"
unchanged "unreadable files"

# ---- import the other kinds (leaf certificates from the current key)
for name in callmanager tvs itlrecovery; do
  cert csr "$name" --out "$work/$name.csr" >/dev/null
  sign "$work/$name.csr" "$work/$name-signed.pem" server
done
snap
expect 1 "is for another key" -- cert import tvs "$work/callmanager-signed.pem" --chain "$ca/chain.pem"
unchanged "tvs: wrong key"
expect 1 "does not chain" -- cert import tvs "$work/tvs-signed.pem" --chain "$work/stranger.pem"
unchanged "tvs: chain mismatch"
for name in callmanager tvs itlrecovery; do
  expect 0 "key +the current key" -- \
    cert import "$name" "$work/$name-signed.pem" --chain "$ca/chain.pem"
  expect 0 "issuer +CN=Test Issuing CA,O=Example" -- cert show "$name"
done
expect 0 "chain +CN=Test Issuing CA,O=Example" -- cert show tvs

# ---- a running server: import the CAPF certificate under it, then enroll a phone
start_serve() {
  "$opencapf" serve --data "$data" --listen 127.0.0.1 --capf-port 0 --tftp-port 0 --tvs-port 0 --http-port 0 --admin-port 0 \
    --threads 2 >"$work/serve.log" 2>&1 &
  serve_pid=$!
  for _ in $(seq 100); do
    capf_port=$(sed -n 's/.*capf: listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.log")
    tftp_port=$(sed -n 's/.*tftp: listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.log")
    [ -n "$capf_port" ] && [ -n "$tftp_port" ] && return 0
    sleep 0.1
  done
  echo "serve did not start:"; cat "$work/serve.log"; return 1
}
# wait_for DESCRIPTION COMMAND...: retries COMMAND for up to 20 s.
wait_for() {
  local what=$1
  shift
  for _ in $(seq 200); do "$@" >/dev/null 2>&1 && { passed=$((passed + 1)); return 0; }; sleep 0.1; done
  failed=$((failed + 1)); echo "FAIL: $what (waited 20 s)"; tail -20 "$work/serve.log" | sed 's/^/    /'
}
start_serve
old_capf_sha1=$(openssl x509 -in "$data/certs/capf.pem" -noout -fingerprint -sha1)
expect 0 "key +the pending key made by 'cert csr --new-key'" -- \
  cert import capf "$work/capf-signed.pem" --chain "$ca/chain.pem"
check "pending key gone" test ! -e "$data/certs/pending/capf.key"
check "the chain is kept" test "$(grep -c 'BEGIN CERTIFICATE' "$data/certs/capf-chain.pem")" = 2
check "two earlier CAPF certificates kept" test "$(ls "$data"/certs/previous/*.pem | wc -l)" = 2
wait_for "serve reloads the imported CAPF certificate" grep -q "reloaded; CAPF certificate CN=CAPF-" "$work/serve.log"
# The next TLS handshake on the CAPF port presents the new certificate and its chain.
check "CAPF presents the chain" bash -c "[ \$(openssl s_client -connect 127.0.0.1:$capf_port -showcerts </dev/null 2>/dev/null | grep -c 'BEGIN CERTIFICATE') = 3 ]"
expect 0 "^capf .* +yes$" -- cert list
curl -s --max-time 20 "tftp://127.0.0.1:$tftp_port/ITLFile.tlv" -o "$work/ITLFile.tlv"
expect 0 "The ITL file was verified successfully" -- "$opencapf" itl show "$work/ITLFile.tlv"
new_sha1=$(openssl x509 -in "$data/certs/capf.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/:/ /g')
expect 0 "FUNCTION 2 CAPF" -- "$opencapf" itl show "$work/ITLFile.tlv"
expect 0 "$new_sha1" -- "$opencapf" itl show "$work/ITLFile.tlv"
check "the old CAPF is gone from the ITL" test "$old_capf_sha1" != "$(openssl x509 -in "$data/certs/capf.pem" -noout -fingerprint -sha1)"

"$opencapf" device add SEP0011223344A1 --operation install --auth null-string --data "$data" >/dev/null
expect 0 "enrolled SEP0011223344A1: LSC CN=SEP0011223344A1.*issuer CN=CAPF-" -- \
  "$enroll" 127.0.0.1 "$capf_port" SEP0011223344A1 "$work/lsc1.pem" "$work/lsc1.key"
cat "$data/certs/capf.pem" "$ca/inter.pem" >"$work/untrusted.pem"
expect 0 "lsc1.pem: OK" -- openssl verify -CAfile "$ca/root.pem" -untrusted "$work/untrusted.pem" "$work/lsc1.pem"
expect nonzero "unable to get local issuer certificate" -- openssl verify -CAfile "$work/stranger.pem" "$work/lsc1.pem"

# ---- trust export: current CAPF, the chain, and earlier CAPF certificates still needed
expect 0 "wrote $work/radius.pem: 3 CA certificates for radius" -- \
  "$opencapf" trust export --for radius --out "$work/radius.pem" --data "$data"
expect 0 "left out: earlier CN=CAPF-.*no valid, unrevoked LSC it signed remains" -- \
  "$opencapf" trust export --for radius --out "$work/radius.pem" --data "$data"
expect 0 "lsc1.pem: OK" -- openssl verify -CAfile "$work/radius.pem" "$work/lsc1.pem"
expect 0 "crypto ca trustpoint OPENCAPF-CA-1" -- "$opencapf" trust export --for asa --data "$data"
expect 0 "crypto ca authenticate OPENCAPF-CA-3" -- "$opencapf" trust export --for asa --data "$data"
"$opencapf" trust export --for ocserv --out "$work/ocserv.pem" --data "$data" >/dev/null
check "ocserv export is plain PEM" test "$(grep -vc -e '^-----' -e '^[A-Za-z0-9+/=]*$' "$work/ocserv.pem")" = 0
expect 0 "lsc1.pem: OK" -- openssl verify -CAfile "$work/ocserv.pem" "$work/lsc1.pem"
expect 2 "--for 'cisco' is not one of radius, asa, ocserv, pem" -- \
  "$opencapf" trust export --for cisco --data "$data"

# ---- revocation: device revoke → CRL → openssl refuses; serve refreshes and publishes its CRLs
expect 0 "wrote $work/crl.pem: 3 CRLs, next update" -- \
  "$opencapf" trust crl --out "$work/crl.pem" --data "$data"
cat "$work/radius.pem" "$work/crl.pem" >"$work/radius+crl.pem"
expect 0 "lsc1.pem: OK" -- openssl verify -crl_check -CAfile "$work/radius+crl.pem" "$work/lsc1.pem"
"$opencapf" device add SEP0011223344A2 --data "$data" >/dev/null
expect 1 "SEP0011223344A2 has no LSC to revoke" -- "$opencapf" device revoke SEP0011223344A2 --data "$data"
expect 1 "there is no device SEP0011223344A9" -- "$opencapf" device revoke SEP0011223344A9 --data "$data"
expect 2 "--reason: revocation reason 'lost'" -- \
  "$opencapf" device revoke SEP0011223344A1 --reason lost --data "$data"
expect 0 "revoked the LSC of SEP0011223344A1: serial [0-9A-F]+, issuer CN=CAPF-.*reason key-compromise" -- \
  "$opencapf" device revoke sep0011223344a1 --reason keyCompromise --data "$data"
expect 0 "its LSC was already revoked; nothing changed" -- \
  "$opencapf" device revoke SEP0011223344A1 --data "$data"
expect 0 "current CAPF CN=CAPF-.*: 1 revoked LSC" -- \
  "$opencapf" trust crl --out "$work/crl.pem" --next-update 3 --data "$data"
serial=$(openssl x509 -in "$work/lsc1.pem" -noout -serial | sed 's/serial=//')
expect 0 "Serial Number: $serial" -- openssl crl -in "$work/crl.pem" -noout -text
expect 0 "Key Compromise" -- openssl crl -in "$work/crl.pem" -noout -text
cat "$work/radius.pem" "$work/crl.pem" >"$work/radius+crl.pem"
expect nonzero "certificate revoked" -- openssl verify -crl_check -CAfile "$work/radius+crl.pem" "$work/lsc1.pem"
wait_for "serve signs fresh CRLs after the revocation" grep -q "crl: a certificate was revoked" "$work/serve.log"
expect 0 "Serial Number: $serial" -- openssl crl -in "$data/crl/capf-crls.pem" -noout -text
curl -s --max-time 20 "tftp://127.0.0.1:$tftp_port/capf-crls.pem" -o "$work/tftp-crl.pem"
expect 0 "Serial Number: $serial" -- openssl crl -in "$work/tftp-crl.pem" -noout -text
expect 0 "LSC revoked by the administrator" -- "$opencapf" device show SEP0011223344A1 --data "$data"

# Removing a device revokes its LSC too; the earlier CAPF CRLs are signed by their own keys.
"$opencapf" device add SEP0011223344A3 --operation install --auth null-string --data "$data" >/dev/null
"$enroll" 127.0.0.1 "$capf_port" SEP0011223344A3 "$work/lsc3.pem" "$work/lsc3.key" >/dev/null
expect 0 "lsc3.pem: OK" -- openssl verify -crl_check -CAfile "$work/radius+crl.pem" "$work/lsc3.pem"
expect 0 "its LSC is recorded as revoked" -- "$opencapf" device remove SEP0011223344A3 --data "$data"
"$opencapf" trust crl --out "$work/crl.pem" --data "$data" >/dev/null
check "one CRL per CAPF certificate" test "$(grep -c 'BEGIN X509 CRL' "$work/crl.pem")" = 3
cat "$work/radius.pem" "$work/crl.pem" >"$work/radius+crl.pem"
expect nonzero "certificate revoked" -- openssl verify -crl_check -CAfile "$work/radius+crl.pem" "$work/lsc3.pem"
for prev in "$data"/certs/previous/*.pem; do
  crl_for=$(openssl x509 -in "$prev" -noout -serial | sed 's/serial=//' | tr 'A-F' 'a-f')
  check "a CRL for the earlier CAPF $crl_for, signed by its key" \
    openssl crl -inform der -in "$data/crl/capf-$crl_for.crl" -CAfile "$prev" -noout
done

kill "$serve_pid"
wait "$serve_pid" 2>/dev/null
serve_pid=
finish
