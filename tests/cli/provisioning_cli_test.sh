#!/usr/bin/env bash
# What `serve` gives a booting phone over TFTP (tftp-hpa, curl) and HTTP on 6970 (curl): the same
# bytes both ways, NAME.sgn signed on demand and checked by openssl alone, the refusals, and a
# branch of 200 phones behind one address that all get their files.
set -u
opencapf=$1
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sgn_lib.sh"

data=$work/data
"$opencapf" init --data "$data" >/dev/null || { echo "FAIL: init"; exit 1; }
tftp_port=$(freeport SOCK_DGRAM)
http_port=$(freeport SOCK_STREAM)
cnf=$data/tftp/SEP001122334455.cnf.xml
cat >"$cnf" <<'XML'
<device><loadInformation>sip78xx.14-2-1</loadInformation><capfAuthMode>3</capfAuthMode></device>
XML
printf 'signed by hand' >"$data/tftp/hand.xml.sgn"
head -c 3000000 /dev/urandom >"$data/tftp/sip88xx.14-2-1.zz" # a firmware image
mkdir -p "$work/outside" && echo "bytes-from-outside-the-root-7f3a" >"$work/outside/secret.xml"
ln -s "$work/outside/secret.xml" "$data/tftp/escape.xml"
"$opencapf" serve --data "$data" --listen 127.0.0.1 --capf-port 0 --tftp-port "$tftp_port" \
  --tvs-port 0 --http-port "$http_port" --admin-port 0 --threads 2 >"$work/serve.log" 2>&1 &
serve_pid=$!
trap 'kill $serve_pid 2>/dev/null; wait $serve_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q "tvs: listening" "$work/serve.log" && break; sleep 0.1; done
check "serve listens on HTTP" grep -q "http: listening on 127.0.0.1:$http_port" "$work/serve.log"

tftp_get() { (cd "$work" && tftp -m binary 127.0.0.1 "$tftp_port" -c get "$1" "$2") 2>&1; }
http_get() { curl -sS -o "$work/$2" -w '%{http_code}' "http://127.0.0.1:$http_port/$1"; }
url=http://127.0.0.1:$http_port

# ---- the same bytes over TFTP and HTTP ---------------------------------------------------------
for name in ITLFile.tlv SEP001122334455.cnf.xml SEP001122334455.cnf.xml.sgn hand.xml.sgn \
  capf-crls.pem sip88xx.14-2-1.zz; do
  tftp_get "$name" "tftp-$name" >/dev/null
  expect 0 '^200$' -- http_get "$name" "http-$name"
  check "$name: HTTP and TFTP serve the same bytes" cmp -s "$work/tftp-$name" "$work/http-$name"
done
check "the firmware image is the root's" cmp -s "$data/tftp/sip88xx.14-2-1.zz" "$work/http-sip88xx.14-2-1.zz"
# A byte range of the firmware image, and its Content-Range.
expect 0 'Content-Range: bytes 1000000-1999999/3000000' -- \
  curl -sS -D - -o "$work/range.bin" -r 1000000-1999999 "$url/sip88xx.14-2-1.zz"
check "the range is the file's bytes 1000000-1999999" cmp -s "$work/range.bin" \
  <(tail -c +1000001 "$data/tftp/sip88xx.14-2-1.zz" | head -c 1000000)
expect 0 '^HTTP/1.1 304' -- curl -sS -I -H "If-Modified-Since: $(date -u -R -d '+1 hour' | sed 's/+0000/GMT/')" \
  "$url/SEP001122334455.cnf.xml"
expect 0 'Last-Modified: ' -- curl -sS -I "$url/SEP001122334455.cnf.xml"

# ---- NAME.sgn, signed on demand, checked as a phone and as openssl check it ---------------------
expect 0 ': valid: SEP001122334455.cnf.xml.sgn' -- \
  "$opencapf" sgn verify "$work/http-SEP001122334455.cnf.xml.sgn" --itl "$work/http-ITLFile.tlv"
expect 0 'Verified OK' -- openssl_verify "$work/http-SEP001122334455.cnf.xml.sgn" "$data/certs/callmanager.pem"
"$opencapf" sgn strip "$work/http-SEP001122334455.cnf.xml.sgn" --out "$work/content.xml"
check "the signed file carries the root's file" cmp -s "$cnf" "$work/content.xml"
check "a .sgn placed in the root is served as it is" test "$(cat "$work/http-hand.xml.sgn")" = "signed by hand"
echo '<device><changed/></device>' >"$cnf"
touch -d '2030-01-01 00:00:00 UTC' "$cnf"
http_get SEP001122334455.cnf.xml.sgn changed.sgn >/dev/null
expect 0 '<changed/>' -- "$opencapf" sgn strip "$work/changed.sgn"
expect 0 '"timestamp": 1893456000' -- "$opencapf" sgn show --json "$work/changed.sgn"

# ---- refusals, both ways; nothing outside the root ---------------------------------------------
expect 0 '^404$' -- http_get nothing.xml.sgn x
expect 0 'Error code 1: nothing.xml.sgn: no such file' -- tftp_get nothing.xml.sgn x
expect 0 '^403$' -- http_get escape.xml refused-1
expect 0 '^403$' -- http_get escape.xml.sgn refused-2
expect 0 'Error code 2' -- tftp_get escape.xml refused-3
expect 0 'Error code 2' -- tftp_get escape.xml.sgn refused-4
expect 0 'Error code 2' -- tftp_get ../outside/secret.xml refused-5
expect 0 '^403$' -- curl -sS -o "$work/refused-6" -w '%{http_code}' --path-as-is "$url/../outside/secret.xml"
expect 0 '^403$' -- curl -sS -o "$work/refused-7" -w '%{http_code}' --path-as-is "$url/%2e%2e/outside/secret.xml"
expect 0 '^(400|403)$' -- curl -sS -o "$work/refused-8" -w '%{http_code}' "$url/a%00b"
expect 0 '^431$' -- curl -sS -o "$work/refused-9" -w '%{http_code}' "$url/$(head -c 9000 /dev/zero | tr '\0' a)"
expect 0 '^431$' -- curl -sS -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 65536 /dev/zero | tr '\0' a)" "$url/ITLFile.tlv"
expect 0 '^405$' -- curl -sS -o /dev/null -w '%{http_code}' -X POST "$url/ITLFile.tlv"
check "the server still serves after all that" test "$(http_get ITLFile.tlv again.tlv)" = 200
check "nothing outside the root was sent" bash -c "! grep -q bytes-from-outside-the-root-7f3a '$work'/refused-* '$work'/tftp-* '$work'/http-*"

# ---- a branch: 200 phones behind one address ---------------------------------------------------
mkdir -p "$work/branch-tftp" "$work/branch-http" "$work/branch-curl-tftp"
for i in $(seq 1 200); do
  (cd "$work/branch-tftp" && tftp -m binary 127.0.0.1 "$tftp_port" -c get ITLFile.tlv "itl-$i" >/dev/null 2>&1) &
done
wait_tftp=$(jobs -p | grep -v "^$serve_pid$")
for p in $wait_tftp; do wait "$p"; done
ok=0
for i in $(seq 1 200); do cmp -s "$work/tftp-ITLFile.tlv" "$work/branch-tftp/itl-$i" && ok=$((ok + 1)); done
check "200 concurrent tftp-hpa downloads all complete ($ok)" test "$ok" -eq 200
args=()
for i in $(seq 1 200); do args+=(-o "$work/branch-curl-tftp/itl-$i" "tftp://127.0.0.1:$tftp_port/ITLFile.tlv"); done
curl -sS --parallel --parallel-max 200 "${args[@]}" 2>"$work/curl-tftp.err"
ok=0
for i in $(seq 1 200); do cmp -s "$work/tftp-ITLFile.tlv" "$work/branch-curl-tftp/itl-$i" && ok=$((ok + 1)); done
check "200 concurrent curl TFTP downloads all complete ($ok)" test "$ok" -eq 200
args=()
for i in $(seq 1 200); do args+=(-o "$work/branch-http/cnf-$i" "$url/SEP001122334455.cnf.xml.sgn"); done
curl -sS --parallel --parallel-max 200 "${args[@]}" 2>"$work/curl-http.err"
ok=0
for i in $(seq 1 200); do cmp -s "$work/changed.sgn" "$work/branch-http/cnf-$i" && ok=$((ok + 1)); done
check "200 concurrent HTTP downloads all complete ($ok)" test "$ok" -eq 200
# And 200 simulated phones booting at once, over HTTP and (older phones) over TFTP: each takes
# the ITL, then its signed configuration, verified. Under AddressSanitizer each simulator process
# holds about 100 MB, so 400 of them would not fit the machine: the sanitizer pass boots 25 of
# each (the optimised pass, 200 of each).
phones=200
if ldd "$opencapf" 2>/dev/null | grep -q libasan; then phones=25; fi
mkdir -p "$work/branch-boot"
for i in $(seq 1 "$phones"); do
  ("$opencapf" phone boot SEP001122334455 --tftp "127.0.0.1:$tftp_port" --http-port "$http_port" \
    --timeout 30 --out "$work/branch-boot/http-$i" >/dev/null 2>&1; echo $? >"$work/branch-boot/http-$i.rc") &
  ("$opencapf" phone boot SEP001122334455 --tftp "127.0.0.1:$tftp_port" --no-http \
    --timeout 30 --out "$work/branch-boot/tftp-$i" >/dev/null 2>&1; echo $? >"$work/branch-boot/tftp-$i.rc") &
done
for p in $(jobs -p | grep -v "^$serve_pid$"); do wait "$p"; done
for way in http tftp; do
  ok=0
  for i in $(seq 1 "$phones"); do
    [ "$(cat "$work/branch-boot/$way-$i.rc" 2>/dev/null)" = 0 ] && cmp -s "$cnf" "$work/branch-boot/$way-$i" && ok=$((ok + 1))
  done
  check "$phones simulated phones booting at once over $way all read their signed configuration ($ok)" test "$ok" -eq "$phones"
done
check "no request of the branch was over a cap" bash -c "! grep -q 'left unanswered' '$work/serve.log'"

# ---- the simulator boots like a current phone: HTTP first, signed and encrypted files --------
capf_port=$(sed -n 's/.*capf: listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.log" | head -1)
phone=SEP0011223344A1
"$opencapf" device add $phone --data "$data" --operation install --auth null-string >/dev/null
"$opencapf" phone enroll $phone --tftp "127.0.0.1:$tftp_port" --capf "127.0.0.1:$capf_port" \
  --state "$work/p1" --timeout 10 >"$work/enroll.out" 2>&1
check "the phone enrolled" grep -q "LSC: Installed" "$work/enroll.out"
full='<device><loadInformation>sip88xx.14-2-1</loadInformation><capfAuthMode>2</capfAuthMode><sipLines><line><authPassword>s3cret</authPassword></line></sipLines></device>'
echo "$full" >"$data/tftp/$phone.cnf.xml"
boot() { "$opencapf" phone boot "$phone" --tftp "127.0.0.1:$tftp_port" --state "$work/p1" --timeout 5 "$@"; }
expect 0 "sgn: $phone.cnf.xml.sgn: signature valid" -- boot --http-port "$http_port" --out "$work/boot.xml"
check "the phone read its configuration" cmp -s "$data/tftp/$phone.cnf.xml" "$work/boot.xml"
expect 0 "http: http://127.0.0.1:$http_port/$phone.cnf.xml.sgn: 200" -- boot --http-port "$http_port"
closed=$(freeport SOCK_STREAM)
expect 0 "$phone.cnf.xml.sgn: cannot connect: Connection refused; trying TFTP" -- boot --http-port "$closed"
expect 0 "tftp: $phone.cnf.xml.sgn from" -- boot --no-http
expect 11 'Encrypted config decryption failed' -- boot --http-port "$http_port" --encrypted-config
# A .sgn signed by another key than the ITL's TFTP certificate: the phone refuses it.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/rogue.key" -out "$work/rogue.crt" \
  -subj "/CN=rogue-tftp" -days 30 2>/dev/null
"$opencapf" sgn build "$data/tftp/$phone.cnf.xml" --signer "$work/rogue.crt" --signer-key "$work/rogue.key" \
  --out "$data/tftp/$phone.cnf.xml.sgn" >/dev/null
expect 10 "File auth error: $phone.cnf.xml.sgn" -- boot --http-port "$http_port"
# Encrypted to the phone's LSC, made by hand with independent parts: the pointer file's certHash
# by openssl, both files signed with the TFTP certificate.
hash=$(openssl x509 -in "$work/p1/lsc.pem" -outform DER | md5sum | cut -d' ' -f1)
printf '<device><fullConfig>false</fullConfig><capfAuthMode>2</capfAuthMode><certHash>%s</certHash><encrConfig>true</encrConfig></device>' \
  "$hash" >"$work/pointer.xml"
"$opencapf" sgn build "$work/pointer.xml" --data "$data" --filename "$phone.cnf.xml.sgn" \
  --out "$data/tftp/$phone.cnf.xml.sgn" >/dev/null
"$opencapf" sgn build "$data/tftp/$phone.cnf.xml" --data "$data" --encrypt-to "$work/p1/lsc.pem" \
  --out "$data/tftp/$phone.cnf.xml.enc.sgn" >/dev/null
rm "$data/tftp/$phone.cnf.xml"
expect 0 "$phone.cnf.xml.enc.sgn decrypted: .* digest verified" -- \
  boot --http-port "$http_port" --encrypted-config --out "$work/decrypted.xml"
check "the decrypted configuration is the phone's" test "$(cat "$work/decrypted.xml")" = "$full"
cp "$data/tftp/$phone.cnf.xml.enc.sgn" "$work/enc.bak"
size=$(stat -c %s "$data/tftp/$phone.cnf.xml.enc.sgn")
printf 'X' | dd of="$data/tftp/$phone.cnf.xml.enc.sgn" bs=1 seek=$((size - 7)) conv=notrunc status=none
expect 10 "File auth error: $phone.cnf.xml.enc.sgn" -- boot --http-port "$http_port"
cp "$work/enc.bak" "$data/tftp/$phone.cnf.xml.enc.sgn"
printf '<device><fullConfig>false</fullConfig><certHash>0123456789abcdef0123456789abcdef</certHash><encrConfig>true</encrConfig></device>' >"$work/pointer.xml"
"$opencapf" sgn build "$work/pointer.xml" --data "$data" --filename "$phone.cnf.xml.sgn" \
  --out "$data/tftp/$phone.cnf.xml.sgn" >/dev/null
expect 11 'encrypted to certificate 0123456789abcdef0123456789abcdef, this phone holds' -- \
  boot --http-port "$http_port"

# ---- serve encrypts a marked phone's configuration to its LSC --------------------------------
rm -f "$data/tftp/$phone.cnf.xml.sgn" "$data/tftp/$phone.cnf.xml.enc.sgn"
echo "$full" >"$data/tftp/$phone.cnf.xml"
"$opencapf" device set $phone --data "$data" --encrypted-config on >/dev/null
wait_log() { for _ in $(seq 1 100); do grep -q "$1" "$work/serve.log" && return 0; sleep 0.1; done; return 1; }
check "serve takes the setting" wait_log "provisioning: $phone: configuration encrypted to CN=$phone"
expect 0 '^403$' -- http_get "$phone.cnf.xml" plain-http
expect 0 'Error code 2' -- tftp_get "$phone.cnf.xml" plain-tftp
expect 0 '^403$' -- http_get "sep0011223344a1.cnf.xml" plain-lower
expect 0 '^200$' -- http_get "$phone.cnf.xml.sgn" pointer.sgn
expect 0 '<encrConfig>true</encrConfig>' -- "$opencapf" sgn strip "$work/pointer.sgn"
expect 0 ': valid' -- "$opencapf" sgn verify "$work/pointer.sgn" --itl "$work/http-ITLFile.tlv"
expect 0 '^200$' -- http_get "$phone.cnf.xml.enc.sgn" served.enc.sgn
tftp_get "$phone.cnf.xml.enc.sgn" tftp.enc.sgn >/dev/null
check "the .enc.sgn is the same over HTTP and TFTP" cmp -s "$work/served.enc.sgn" "$work/tftp.enc.sgn"
expect 0 'Verified OK' -- openssl_verify "$work/served.enc.sgn" "$data/certs/callmanager.pem"
decrypt_independently "$work/served.enc.sgn" "$work/p1/lsc.key" >"$work/opened.xml"
check "openssl opens it with the phone's LSC key" test "$(cat "$work/opened.xml")" = "$full"
check "the encrypted files were served" test -s "$work/served.enc.sgn" -a -s "$work/tftp.enc.sgn" -a -s "$work/pointer.sgn"
check "no secret was served in the clear" bash -c "! grep -q s3cret '$work'/plain-http '$work'/plain-lower '$work'/pointer.sgn '$work'/served.enc.sgn '$work'/tftp.enc.sgn"
expect 0 "$phone.cnf.xml.enc.sgn decrypted: .* digest verified" -- \
  boot --http-port "$http_port" --encrypted-config --out "$work/served-decrypted.xml"
check "the simulator reads its configuration" test "$(cat "$work/served-decrypted.xml")" = "$full"
expect 0 "$phone.cnf.xml.enc.sgn decrypted" -- boot --no-http --encrypted-config
# An LSC upgrade: the old key no longer opens the new file, the new one does.
cp "$work/p1/lsc.key" "$work/old-lsc.key"
"$opencapf" device set $phone --data "$data" --operation install --auth null-string >/dev/null
"$opencapf" phone enroll $phone --tftp "127.0.0.1:$tftp_port" --capf "127.0.0.1:$capf_port" \
  --state "$work/p1" --timeout 10 >"$work/upgrade.out" 2>&1
check "the phone upgraded its LSC" grep -q "LSC: Installed" "$work/upgrade.out"
new_sha=$(openssl x509 -in "$work/p1/lsc.pem" -outform DER | sha1sum | cut -d' ' -f1 | tr a-f A-F | sed 's/../&:/g; s/:$//')
check "serve encrypts to the new LSC" wait_log "configuration encrypted to CN=$phone.*SHA-1 $new_sha"
http_get "$phone.cnf.xml.enc.sgn" upgraded.enc.sgn >/dev/null
check "the upgraded file was served" test -s "$work/upgraded.enc.sgn"
check "the old key still opens the file made before the upgrade" bash -c \
  ". '$(dirname "$0")/sgn_lib.sh'; work='$work'; decrypt_independently '$work/served.enc.sgn' '$work/old-lsc.key' | grep -q s3cret"
decrypt_independently "$work/upgraded.enc.sgn" "$work/old-lsc.key" >"$work/old-opened.xml" 2>/dev/null
check "the replaced LSC's key no longer opens it" bash -c "! grep -q s3cret '$work/old-opened.xml'"
decrypt_independently "$work/upgraded.enc.sgn" "$work/p1/lsc.key" >"$work/new-opened.xml"
check "the new LSC's key opens it" test "$(cat "$work/new-opened.xml")" = "$full"
expect 0 "decrypted: .* digest verified" -- boot --http-port "$http_port" --encrypted-config
# An EC phone marked for encryption: nothing of its configuration is served, doctor says why.
ec_phone=SEP0011223344EC
echo "$full" >"$data/tftp/$ec_phone.cnf.xml"
"$opencapf" device add $ec_phone --data "$data" --operation install --auth null-string --key-order ec >/dev/null
"$opencapf" phone enroll $ec_phone --tftp "127.0.0.1:$tftp_port" --capf "127.0.0.1:$capf_port" \
  --state "$work/p-ec" --timeout 10 >/dev/null 2>&1
expect 0 'needs an RSA key' -- "$opencapf" device set $ec_phone --data "$data" --encrypted-config on
check "serve says it cannot encrypt it" wait_log "provisioning: $ec_phone: configuration not served: its LSC is EC"
expect 0 '^403$' -- http_get "$ec_phone.cnf.xml" ec-plain
expect 0 '^403$' -- http_get "$ec_phone.cnf.xml.enc.sgn" ec-enc
expect 0 'Error code 2' -- tftp_get "$ec_phone.cnf.xml" ec-tftp
check "doctor says why the EC phone's configuration is not served" bash -c \
  "'$opencapf' doctor --data '$data' --timeout 1 2>&1 | grep -q 'device $ec_phone encrypted-config'"

kill "$serve_pid" && wait "$serve_pid" 2>/dev/null
finish
