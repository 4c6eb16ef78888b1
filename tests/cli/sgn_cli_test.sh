#!/usr/bin/env bash
# `opencapf sgn ...` and the signed files `serve` makes, checked by independent tools: the
# signature by `openssl dgst -verify` over the file with its SIGNATURE element cut out by shell
# tools, an encrypted configuration opened by `openssl pkeyutl` and `openssl enc`.
set -u
opencapf=$1
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/sgn_lib.sh"

# The TFTP signer and two phones, made by openssl (not by us).
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/tftp.key" -out "$work/tftp.crt" \
  -subj "/CN=tftp.example/O=Lab" -days 30 2>/dev/null
cat "$work/tftp.crt" "$work/tftp.key" >"$work/tftp.pem"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/phone.key" -out "$work/phone.crt" \
  -subj "/CN=SEP001122334455/O=Lab" -days 30 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/other.key" -out "$work/other.crt" \
  -subj "/CN=SEP00AABBCCDDEE/O=Lab" -days 30 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/ec.key" \
  -out "$work/ec.crt" -subj "/CN=SEP0011223344EC/O=Lab" -days 30 2>/dev/null
cat >"$work/SEP001122334455.cnf.xml" <<'XML'
<device><fullConfig>true</fullConfig><loadInformation>sip78xx.14-2-1</loadInformation>
<capfAuthMode>3</capfAuthMode><sipLines><line><authName>1001</authName>
<authPassword>s3cret</authPassword></line></sipLines></device>
XML
cnf=$work/SEP001122334455.cnf.xml

# ---- sgn build / verify / show, checked by openssl -------------------------------------------
for digest in sha1 sha512; do
  expect 0 "wrote $cnf.sgn: .*signed by CN=tftp.example.* with ${digest^^}" -- \
    "$opencapf" sgn build "$cnf" --signer "$work/tftp.pem" --digest "$digest"
  expect 0 'Verified OK' -- openssl_verify "$cnf.sgn" "$work/tftp.crt"
  expect 0 ": valid: SEP001122334455.cnf.xml.sgn, signature valid \\(${digest^^}" -- \
    "$opencapf" sgn verify "$cnf.sgn" --cert "$work/tftp.crt"
done
expect 0 '14 FILENAME [0-9]+ SEP001122334455.cnf.xml.sgn' -- "$opencapf" sgn show "$cnf.sgn"
expect 0 'Signature: not checked' -- "$opencapf" sgn show "$cnf.sgn"
expect 0 '"filename": "SEP001122334455.cnf.xml.sgn"' -- "$opencapf" sgn show --json "$cnf.sgn"
expect 0 'Version: 1.0' -- "$opencapf" sgn show "$cnf.sgn" --cert "$work/tftp.crt"
# The content follows the header unchanged: strip gives the file back.
"$opencapf" sgn strip "$cnf.sgn" --out "$work/stripped.xml"
check "strip gives the original bytes" cmp -s "$cnf" "$work/stripped.xml"
# A flipped byte anywhere in the content fails both openssl and us.
cp "$cnf.sgn" "$work/tampered.sgn"
size=$(stat -c %s "$work/tampered.sgn")
printf 'X' | dd of="$work/tampered.sgn" bs=1 seek=$((size - 10)) conv=notrunc status=none
expect 1 'Verification failure' -- openssl_verify "$work/tampered.sgn" "$work/tftp.crt"
expect 1 'signature invalid: the SHA512 signature does not match' -- \
  "$opencapf" sgn verify "$work/tampered.sgn" --cert "$work/tftp.crt"
expect 1 'INVALID' -- "$opencapf" sgn show "$work/tampered.sgn" --cert "$work/tftp.crt"
expect 1 'names signer CN=tftp.example.*not CN=SEP001122334455' -- \
  "$opencapf" sgn verify "$cnf.sgn" --cert "$work/phone.crt"
# --filename and --out
expect 0 "wrote $work/named.sgn" -- "$opencapf" sgn build "$cnf" --signer "$work/tftp.pem" \
  --filename SEPAABBCCDDEEFF.cnf.xml.sgn --out "$work/named.sgn" --timestamp 1700000000
expect 0 'SEPAABBCCDDEEFF.cnf.xml.sgn' -- "$opencapf" sgn show "$work/named.sgn"
expect 0 '"timestamp": 1700000000' -- "$opencapf" sgn show --json "$work/named.sgn"

# ---- verified as a phone does: against its ITL's TFTP record ---------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/sast.key" -out "$work/sast.crt" \
  -subj "/CN=ITLRECOVERY_test/O=Lab" -days 30 2>/dev/null
cat "$work/sast.crt" "$work/sast.key" >"$work/sast.pem"
"$opencapf" itl build "$work/ITLFile.tlv" --signer "$work/sast.pem" --ccm-tftp "$work/tftp.crt" >/dev/null
"$opencapf" itl build "$work/other-itl.tlv" --signer "$work/sast.pem" --tftp "$work/other.crt" >/dev/null
"$opencapf" itl build "$work/no-tftp.tlv" --signer "$work/sast.pem" >/dev/null
expect 0 ': valid' -- "$opencapf" sgn verify "$cnf.sgn" --itl "$work/ITLFile.tlv"
expect 1 'signature invalid: the file names signer' -- "$opencapf" sgn verify "$cnf.sgn" --itl "$work/other-itl.tlv"
expect 2 'lists no TFTP or CCM\+TFTP certificate' -- "$opencapf" sgn verify "$cnf.sgn" --itl "$work/no-tftp.tlv"

# ---- encrypted to a phone's certificate, opened by openssl ------------------------------------
expect 0 "wrote $cnf.enc.sgn: .*encrypted to CN=SEP001122334455" -- \
  "$opencapf" sgn build "$cnf" --signer "$work/tftp.pem" --encrypt-to "$work/phone.crt"
enc=$cnf.enc.sgn
expect 0 'Verified OK' -- openssl_verify "$enc" "$work/tftp.crt"
expect 0 'Version: 2.0' -- "$opencapf" sgn show "$enc"
expect 0 'AES-128-CBC' -- "$opencapf" sgn show "$enc"
check "the secret is not in the encrypted file" bash -c "! grep -q s3cret '$enc'"
decrypt_independently "$enc" "$work/phone.key" >"$work/opened.xml"
check "openssl opens the configuration with the phone's key" cmp -s "$cnf" "$work/opened.xml"
# ENCRYPTION_HASH (27) is the plaintext's digest (ENCRYPTION_HASH_ALGORITHM 26: 1 = SHA-1).
hl=$(header_length "$enc")
read -r off len < <(element "$enc" 10 "$hl" 27)
check "ENCRYPTION_HASH is the SHA-1 of the configuration" test \
  "$(slice "$enc" $((off + 3)) "$len" | od -An -tx1 | tr -d ' \n')" = \
  "$(openssl dgst -sha1 -r "$cnf" | cut -d' ' -f1)"
check "the phone's own key opens it (the next check means something)" test -s "$work/opened.xml"
decrypt_independently "$enc" "$work/other.key" >"$work/wrong.xml" 2>/dev/null
check "another phone's key does not open it" bash -c "! cmp -s '$cnf' '$work/wrong.xml'"
"$opencapf" sgn strip "$enc" --key "$work/phone.key" --out "$work/decrypted.xml"
check "strip --key decrypts it" cmp -s "$cnf" "$work/decrypted.xml"
expect 1 'encrypted to another certificate' -- "$opencapf" sgn strip "$enc" --key "$work/other.key"
expect 2 'is encrypted: give --key' -- "$opencapf" sgn strip "$enc"
expect 2 'needs an RSA key' -- "$opencapf" sgn build "$cnf" --signer "$work/tftp.pem" --encrypt-to "$work/ec.crt"

# ---- bad input: every mistake says what was wrong --------------------------------------------
echo "hello, this is not signed" >"$work/text.sgn"
expect 2 'malformed: .*not a valid signed' -- "$opencapf" sgn verify "$work/text.sgn" --cert "$work/tftp.crt"
expect 2 'not a valid signed' -- "$opencapf" sgn show "$work/text.sgn"
head -c 100 "$cnf.sgn" >"$work/short.sgn"
expect 2 'not a valid signed' -- "$opencapf" sgn show "$work/short.sgn"
head -c $(($(stat -c %s "$enc") - 5)) "$enc" >"$work/short.enc.sgn"
expect 2 'not a multiple of the AES block' -- "$opencapf" sgn show "$work/short.enc.sgn"
expect 2 'No such file' -- "$opencapf" sgn show "$work/missing.sgn"
expect 2 'give --cert TFTP.pem or --itl' -- "$opencapf" sgn verify "$cnf.sgn"
expect 2 'cat tftp.crt tftp.key' -- "$opencapf" sgn build "$cnf" --signer "$work/tftp.crt"
expect 2 'signed files are RSA' -- "$opencapf" sgn build "$cnf" --signer "$work/ec.crt" --signer-key "$work/ec.key"
expect 2 'no --signer given and .* does not exist' -- "$opencapf" sgn build "$cnf" --data "$work/nodata"
expect 2 "digest: .*not in" -- "$opencapf" sgn build "$cnf" --signer "$work/tftp.pem" --digest md5
expect 2 'A subcommand is required' -- "$opencapf" sgn

finish
