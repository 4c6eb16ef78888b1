#!/usr/bin/env bash
# `opencapf trust ...` and `opencapf tvs query` as an administrator types them. The TVS server
# behind `tvs query` here is an independent one (Python's ssl module) that replays the shared
# transcripts, so the client is checked against the recorded server, not only against ours (the
# gtest end-to-end tests run it against ours).
set -u
opencapf=$1
testdata=$2
. "$(dirname "$0")/lib.sh"
data=$work/data
tvs=$testdata/tvs
known=$tvs/known.crt
unknown=$tvs/unknown.crt
known_sha=097f43a013723f9baf69d3522d4a3358924d0985650ab5e003bfc7c31e81cf69
unknown_sha=909251d0b010aeafc66f2e75b85798b61010f7811dad37a49c0e4d542e968979
trust() { "$opencapf" trust "$@" --data "$data"; }

# jcheck DESCRIPTION PYTHON-EXPRESSION COMMAND...: COMMAND prints JSON `d` for which the
# expression holds; e(sha) is the entry with that SHA-256 or None.
jcheck() {
  local what=$1 expr=$2
  shift 2
  local out
  out=$("$@" 2>&1)
  if python3 -c "
import json, sys
d = json.loads(sys.stdin.read())
e = lambda sha: next((x for x in d if x['sha256'] == sha), None)
sys.exit(0 if ($expr) else 1)" <<<"$out"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $what: $* does not give JSON with: $expr"
    echo "$out" | head -30 | sed 's/^/    /'
  fi
}

# ---- the data directory must exist first
expect 1 "is not an opencapf data directory.*opencapf init --data $work/nodata" -- \
  "$opencapf" trust list --data "$work/nodata"
expect 1 "opencapf init --data" -- "$opencapf" trust add "$known" --roles CCM --data "$work/nodata"
check "no stray database made" test ! -e "$work/nodata/opencapf.db"
expect 0 'initialised' -- "$opencapf" init --data "$data"
jcheck "known.crt is not trusted yet" 'e("'$known_sha'") is None' trust list --json

# ---- add
expect 0 "^trusted CN=pub1,OU=Lab,O=Example Telecom,L=Boxborough,ST=MA,C=US" -- \
  trust add "$known" --roles CCM,TFTP
expect 0 "SHA-256 +$known_sha" -- trust add "$known" --roles CCM,TFTP
expect 0 "already trusted, unchanged" -- trust add "$known" --roles CCM,TFTP
expect 0 "a running TVS answers with it from its next request" -- \
  trust add "$known" --roles CCM,TFTP --ttl 600
expect 0 "^updated CN=pub1" -- trust add "$known" --roles CCM,TFTP --ttl 86400
expect 0 "roles +CCM\+TFTP, TVS" -- trust add "$unknown" --roles ccm+tftp,tvs --ttl 3600
expect 0 "valid until 2036-11-24" -- trust add "$unknown" --roles CCM-TFTP,TVS --ttl 3600

# ---- what is refused, and why
expect 2 "'BOGUS' is not a role; roles are CCM, CCM\+TFTP, TFTP, CAPF, TVS, SAST, APP-SERVER" -- \
  trust add "$known" --roles CCM,BOGUS
expect 2 "an empty role name" -- trust add "$known" --roles CCM,,TFTP
expect 2 "TFTP is given twice" -- trust add "$known" --roles TFTP,tftp
expect 2 "--ttl 'soon' is not a number of seconds" -- trust add "$known" --roles CCM --ttl soon
expect 2 "--ttl '-1' is not a number of seconds" -- trust add "$known" --roles CCM --ttl -1
expect 2 "--ttl '4294967296' is not a number of seconds" -- \
  trust add "$known" --roles CCM --ttl 4294967296
expect 1 "$work/missing.crt" -- trust add "$work/missing.crt" --roles CCM
expect nonzero "roles" -- trust add "$known"
echo "not a certificate" >"$work/junk.crt"
expect 1 "junk.crt" -- trust add "$work/junk.crt" --roles CCM

# ---- list
expect 0 "^SHA-256 +ROLES +TTL +SOURCE +EXPIRES +SUBJECT" -- trust list
expect 0 "$known_sha +CCM, TFTP +86400 +admin +2036-11-24 +CN=pub1,OU=Lab" -- trust list
expect 0 "$unknown_sha +CCM\+TFTP, TVS +3600 +admin +2036-11-24 +CN=CAPF-1a2b3c4d" -- trust list
jcheck "list --json" 'e("'$known_sha'")["roles"] == ["CCM", "TFTP"] and
  e("'$known_sha'")["role_codes"] == [1, 3] and e("'$known_sha'")["ttl"] == 86400 and
  e("'$known_sha'")["source"] == "admin" and e("'$known_sha'")["valid_now"] and
  e("'$known_sha'")["not_after"] == "2036-11-24T10:35:56Z" and
  e("'$known_sha'")["subject"].startswith("CN=pub1,") and
  e("'$known_sha'")["pem"].startswith("-----BEGIN CERTIFICATE-----") and
  e("'$unknown_sha'")["roles"] == ["CCM+TFTP", "TVS"] and e("'$unknown_sha'")["ttl"] == 3600' \
  trust list --json
pem_sha=$(trust list --json | python3 -c "
import json, sys
d = [x for x in json.load(sys.stdin) if x['sha256'] == '$known_sha'][0]
sys.stdout.write(d['pem'])" | openssl x509 -noout -fingerprint -sha256 | tr -d : | tr A-F a-f)
check "the listed PEM is the certificate added" grep -q "$known_sha" <<<"$pem_sha"

# ---- remove: whole hash, unique prefix in any spelling
expect 1 "too short: give the SHA-256 or at least its 8 first hex digits" -- trust remove 097f43
expect 1 "is not a SHA-256 in hex" -- trust remove not-a-hash
expect 0 "^removed CN=pub1" -- trust remove 09:7F:43:A0:13
jcheck "known.crt is gone" 'e("'$known_sha'") is None and e("'$unknown_sha'") is not None' \
  trust list --json
expect 1 "no trusted certificate has a SHA-256 starting with 097f43a013" -- trust remove 097f43a013
expect 0 "for up to its TTL, 3600 s" -- trust remove "$unknown_sha"
expect 1 "no trusted certificate has a SHA-256 of $unknown_sha" -- trust remove "$unknown_sha"
expect nonzero "SHA256" -- trust remove

# ---- tvs query against an independent TVS replaying the transcripts
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/tvs.key" -out "$work/tvs.pem" \
  -subj "/CN=recorded-tvs/O=opencapf test" -days 30 2>/dev/null
python3 "$(dirname "$0")/recorded_tvs.py" "$work/tvs.pem" "$work/tvs.key" "$tvs" "$work/port" &
server_pid=$!
trap 'kill $server_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
query() { "$opencapf" tvs query "$@"; }
device=CP-7962-SEP001122334455

expect 0 "status: +valid" -- query "$known" --server "127.0.0.1:$port" --device $device
expect 0 "roles: +CCM, TFTP" -- query "$known" --server "127.0.0.1:$port" --device $device
expect 0 "ttl: +86400 s" -- query "$known" --server "127.0.0.1:$port" --device $device
expect 0 "sha256: +$known_sha" -- query "$known" --server "127.0.0.1:$port" --device $device
expect 0 "server: +127.0.0.1:$port \(CN=recorded-tvs,O=opencapf test\)" -- \
  query "$known" --server "127.0.0.1:$port" --device $device
expect 1 "status: +invalid" -- query "$unknown" --server "127.0.0.1:$port" --device $device
expect 0 "matches --tvs-cert" -- \
  query "$known" --server "127.0.0.1:$port" --device $device --tvs-cert "$work/tvs.pem"
expect 2 "not the TVS expected: it presented CN=recorded-tvs,O=opencapf test .*not the --tvs-cert certificate CN=pub1-tvs" -- \
  query "$known" --server "127.0.0.1:$port" --device $device --tvs-cert "$tvs/tvs.crt"
# No DEVICE_NAME: not what the recorded server was asked, so it hangs up unanswered.
expect 2 "the server closed the connection" -- query "$known" --server "127.0.0.1:$port"

# ---- tvs load against the same independent server
expect 0 '"ok":12,"errors":0.*"verdicts":\{"valid":12,"invalid":0\}' -- \
  "$opencapf" tvs load --tvs "127.0.0.1:$port" --tvs-cert "$work/tvs.pem" --cert "$known" --device $device \
  --count 12 --concurrency 3 --json
expect 0 "answers: 4 valid, 0 invalid" -- \
  "$opencapf" tvs load --tvs "127.0.0.1:$port" --tvs-cert "$work/tvs.pem" --cert "$known" --device $device \
  --count 4 --concurrency 2
expect 0 '"verdicts":\{"valid":0,"invalid":3\}' -- \
  "$opencapf" tvs load --tvs "127.0.0.1:$port" --tvs-cert "$work/tvs.pem" --cert "$unknown" --device $device \
  --count 3 --json
expect 1 '"server certificate does not match --tvs-cert":2' -- \
  "$opencapf" tvs load --tvs "127.0.0.1:$port" --tvs-cert "$tvs/tvs.crt" --cert "$known" --count 2 --json

# ---- tvs query: what cannot be asked
expect 2 "cannot connect: .*is TVS running there" -- query "$known" --server 127.0.0.1:1
expect 2 "port '0' is not a number from 1 to 65535" -- query "$known" --server 127.0.0.1:0
expect 2 "$work/missing.crt" -- query "$work/missing.crt" --server "127.0.0.1:$port"
expect 2 "--tvs-cert: .*missing.pem" -- \
  query "$known" --server "127.0.0.1:$port" --tvs-cert "$work/missing.pem"
expect 2 "cannot resolve" -- query "$known" --server no-such-host.invalid:2445

kill $server_pid 2>/dev/null
finish
