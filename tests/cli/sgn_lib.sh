# Reading signed files with nothing but od, head and tail, and checking them with openssl alone:
# what an independent tool sees. Sourced after lib.sh (uses $work).
# BYTE FILE OFFSET, U16 FILE OFFSET.
byte() { od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' \n'; }
u16() { echo $(($(byte "$1" "$2") * 256 + $(byte "$1" $(($2 + 1))))); }
# element FILE START END TAG: "OFFSET LENGTH" of the first element TAG among the elements
# that run from START to END (one level: a container's value is searched by calling again).
element() {
  local f=$1 off=$2 end=$3 tag=$4 t l
  while [ "$off" -lt "$end" ]; do
    t=$(byte "$f" "$off")
    if [ "$t" = 13 ]; then off=$((off + 1)); continue; fi # header padding: one byte, no length
    l=$(u16 "$f" $((off + 1)))
    if [ "$t" = "$tag" ]; then echo "$off $l"; return 0; fi
    off=$((off + 3 + l))
  done
  return 1
}
slice() { tail -c +$(($2 + 1)) "$1" | head -c "$3"; } # slice FILE OFFSET COUNT
header_length() { u16 "$1" 8; }                       # VERSION (5 bytes), then HEADER_LENGTH

# openssl_verify FILE CERT: the signature checked by openssl alone.
openssl_verify() {
  local f=$1 cert=$2 hl sig off len digest
  hl=$(header_length "$f")
  read -r off len < <(element "$f" 10 "$hl" 12) || return 1
  slice "$f" $((off + 3)) "$len" >"$work/sig.bin"
  { head -c "$off" "$f"; tail -c +$((off + 3 + len + 1)) "$f"; } >"$work/covered.bin"
  # SIGNATURE_INFO (7) holds HASH_ALGORITHM (8): 1 SHA-1, 3 SHA-512.
  read -r sioff silen < <(element "$f" 10 "$hl" 7)
  read -r hoff _ < <(element "$f" $((sioff + 3)) $((sioff + 3 + silen)) 8)
  case $(byte "$f" $((hoff + 3))) in 1) digest=-sha1 ;; 3) digest=-sha512 ;; *) return 1 ;; esac
  openssl x509 -in "$cert" -pubkey -noout >"$work/signer-pub.pem"
  openssl dgst "$digest" -verify "$work/signer-pub.pem" -signature "$work/sig.bin" "$work/covered.bin"
}


# decrypt_independently FILE KEY: an .enc.sgn's configuration, opened by openssl alone.
decrypt_independently() { # FILE KEY: the configuration, by openssl alone
  local f=$1 key=$2 hl ioff ilen voff vlen koff klen off len pad
  hl=$(header_length "$f")
  read -r ioff ilen < <(element "$f" 10 "$hl" 16) || return 1
  read -r voff vlen < <(element "$f" $((ioff + 3)) $((ioff + 3 + ilen)) 17)
  read -r koff klen < <(element "$f" $((ioff + 3)) $((ioff + 3 + ilen)) 21)
  read -r off len < <(element "$f" $((voff + 3)) $((voff + 3 + vlen)) 19)
  iv=$(slice "$f" $((off + 3)) "$len" | od -An -tx1 | tr -d ' \n')
  read -r off _ < <(element "$f" $((voff + 3)) $((voff + 3 + vlen)) 20)
  pad=$(u16 "$f" $((off + 3)))
  read -r off len < <(element "$f" $((koff + 3)) $((koff + 3 + klen)) 25)
  slice "$f" $((off + 3)) "$len" >"$work/wrapped.bin"
  openssl pkeyutl -decrypt -inkey "$key" -pkeyopt rsa_padding_mode:pkcs1 \
    -in "$work/wrapped.bin" -out "$work/aes.bin" 2>/dev/null || return 1
  aes=$(od -An -tx1 "$work/aes.bin" | tr -d ' \n')
  tail -c +$((hl + 1)) "$f" | openssl enc -d -aes-128-cbc -K "$aes" -iv "$iv" -nopad >"$work/padded.bin" || return 1
  head -c $(($(stat -c %s "$work/padded.bin") - pad)) "$work/padded.bin"
}
