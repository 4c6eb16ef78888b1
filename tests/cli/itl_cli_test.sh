#!/usr/bin/env bash
# `opencapf itl ...` as an administrator types it.
set -u
opencapf=$1
vectors=$2
. "$(dirname "$0")/lib.sh"
itl=$vectors/itl

# show and verify on the shared vectors
expect 0 'The ITL file was verified successfully\.$' -- "$opencapf" itl show "$itl/ITLFile-sha1.tlv"
expect 0 'This etoken was used to sign the ITL file\.' -- "$opencapf" itl show "$itl/ITLFile-sha512.tlv"
expect 0 '"verified": true' -- "$opencapf" itl show --json "$itl/ITLFile-sha512.tlv"
expect 0 ': valid: 5 records, signature valid \(SHA1' -- "$opencapf" itl verify "$itl/ITLFile-sha1.tlv"
expect 0 'SHA512' -- "$opencapf" itl verify "$itl/ITLFile-sha512.tlv"

# bad input: every mistake says what was wrong
expect 2 'No such file' -- "$opencapf" itl verify "$work/missing.tlv"
expect 2 'is a directory' -- "$opencapf" itl verify "$work"
echo "hello, this is not a trust list" >"$work/text.tlv"
expect 2 'malformed: .*not an ITL/CTL file' -- "$opencapf" itl verify "$work/text.tlv"
expect 2 'not an ITL/CTL file' -- "$opencapf" itl show "$work/text.tlv"
head -c 1000 "$itl/ITLFile-sha1.tlv" >"$work/short.tlv"
expect 2 'record 1 at offset 484: .*needs' -- "$opencapf" itl verify "$work/short.tlv"
cp "$itl/ITLFile-sha1.tlv" "$work/tampered.tlv"
printf '\x00' | dd of="$work/tampered.tlv" bs=1 seek=3000 conv=notrunc status=none
expect 1 'signature invalid: the SHA1 signature does not match' -- "$opencapf" itl verify "$work/tampered.tlv"
expect 1 'could not be verified' -- "$opencapf" itl show "$work/tampered.tlv"
expect nonzero 'not expected: --frobnicate' -- "$opencapf" itl verify --frobnicate "$itl/ITLFile-sha1.tlv"
expect nonzero 'A subcommand is required' -- "$opencapf" itl
expect nonzero 'FILE is required' -- "$opencapf" itl show

# a signer: an RSA key and a self-signed certificate, made by openssl (not by us)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/signer.key" -out "$work/signer.crt" \
  -subj "/CN=ITLRECOVERY_cli/OU=Lab/O=opencapf" -days 30 2>/dev/null
cat "$work/signer.crt" "$work/signer.key" >"$work/signer.pem"
expect 2 'cat signer.crt signer.key' -- "$opencapf" itl build "$work/x.tlv" --signer "$work/signer.crt"
expect nonzero 'digest: .*not in' -- "$opencapf" itl build "$work/x.tlv" --signer "$work/signer.pem" --digest md5
expect 2 "'phone' is not a role" -- "$opencapf" itl build "$work/x.tlv" --signer "$work/signer.pem" --hash-only phone
expect nonzero 'File does not exist' -- "$opencapf" itl build "$work/x.tlv" --signer "$work/signer.pem" --capf "$work/nope.crt"

# build with role flags in a mixed order; records must keep it (after the signer's SAST record)
expect 0 'wrote .*ITLFile.tlv: .* 6 records, signed by CN=ITLRECOVERY_cli,OU=Lab,O=opencapf with SHA512' -- \
  "$opencapf" itl build "$work/ITLFile.tlv" --signer "$work/signer.pem" --tvs "$itl/tvs.crt" \
  --ccm-tftp "$itl/ccm.crt" --capf "$itl/capf.crt" --tvs "$itl/ccm.crt" --tftp "$itl/tftpec.crt" \
  --digest sha512 --hash-only capf,tvs --timestamp 1795775757
expect 0 'verified successfully' -- "$opencapf" itl show "$work/ITLFile.tlv"
roles=$("$opencapf" itl show "$work/ITLFile.tlv" | grep '^4 FUNCTION' | cut -d' ' -f4- | paste -sd, -)
check "records keep the order given ($roles)" \
  test "$roles" = "System Administrator Security Token,TVS,CCM+TFTP,CAPF,TVS,TFTP"
check "CAPF listed by hash only" grep -q '^11 CERTHASH 20 28 45 D4 BC' <("$opencapf" itl show "$work/ITLFile.tlv")
check "TIMESTAMP as given" grep -q '^15 TIMESTAMP 4 2026-11-27 10:35:57 UTC' <("$opencapf" itl show "$work/ITLFile.tlv")

# an independent check of our signature: openssl over the file without the SIGNATURE element
offset=$("$opencapf" itl show --json "$work/ITLFile.tlv" >/dev/null; echo 203)
json=$("$opencapf" itl show --json "$work/ITLFile.tlv")
sigbytes=$(grep -m1 '"signature_bytes"' <<<"$json" | tr -dc 0-9)
# header: VERSION(5) HEADER_LENGTH(5) SIGNER_VERSION(5) SIGNER_INFO(3+n) SIGNATURE_INFO(18)
signer_info=$(od -An -tu1 -j16 -N2 "$work/ITLFile.tlv" | awk '{print $1*256+$2}')
offset=$((15 + 3 + signer_info + 18))
head -c "$offset" "$work/ITLFile.tlv" >"$work/body"
tail -c +$((offset + 3 + sigbytes + 1)) "$work/ITLFile.tlv" >>"$work/body"
dd if="$work/ITLFile.tlv" of="$work/sig" bs=1 skip=$((offset + 3)) count="$sigbytes" status=none
openssl x509 -in "$work/signer.crt" -pubkey -noout >"$work/pub.pem"
expect 0 'Verified OK' -- openssl dgst -sha512 -verify "$work/pub.pem" -signature "$work/sig" "$work/body"

# default digest and file name
expect 0 'with SHA1 \(signer version 1.0\)' -- "$opencapf" itl build "$work/CTLFile.tlv" --signer "$work/signer.pem" --capf "$itl/capf.crt"
expect 0 '^CTL Record #:2' -- "$opencapf" itl show "$work/CTLFile.tlv"
expect 0 '^14 FILENAME 12 CTLFile.tlv' -- "$opencapf" itl show "$work/CTLFile.tlv"

# ctl: the same format and options
mkdir -p "$work/ctl"
expect 0 'wrote .*CTLFile.tlv: .* 3 records' -- "$opencapf" ctl build "$work/ctl/CTLFile.tlv" --signer "$work/signer.pem" --capf "$itl/capf.crt" --tftp "$itl/ccm.crt"
expect 0 '^The CTL file was verified successfully\.$' -- "$opencapf" ctl show "$work/ctl/CTLFile.tlv"
expect 0 ': valid: 3 records' -- "$opencapf" ctl verify "$work/ctl/CTLFile.tlv"

# diff
expect 0 'No differences' -- "$opencapf" itl diff "$itl/ITLFile-sha1.tlv" "$itl/ITLFile-sha1.tlv"
expect 1 '~ header digest: SHA1 -> SHA512' -- "$opencapf" itl diff "$itl/ITLFile-sha1.tlv" "$itl/ITLFile-sha512.tlv"
expect 1 '\+ TVS CN=pub1,OU=Lab' -- "$opencapf" itl diff "$itl/ITLFile-sha1.tlv" "$work/ITLFile.tlv"
expect 1 '"kind": "removed"' -- "$opencapf" itl diff --json "$itl/ITLFile-sha1.tlv" "$work/ITLFile.tlv"
expect 2 'No such file' -- "$opencapf" itl diff "$itl/ITLFile-sha1.tlv" "$work/none.tlv"

# help and version on every level
expect 0 '^opencapf [0-9]+\.[0-9]+\.[0-9]+' -- "$opencapf" --version
expect 0 'Subcommands:' -- "$opencapf" help
expect 0 'build' -- "$opencapf" help itl
expect 0 '--hash-only' -- "$opencapf" help itl build
expect nonzero "'nope' is not an opencapf command" -- "$opencapf" help nope
expect 0 'Subcommands:' -- "$opencapf" --help
expect 0 'show' -- "$opencapf" itl --help
expect 0 '--signer' -- "$opencapf" itl build --help

finish
