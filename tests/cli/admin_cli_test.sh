#!/usr/bin/env bash
# `opencapf admin` and the administration server's login, run for real: init prints the first
# password once; serve on an empty directory keeps it out of its log; passwd, tokens, the audit
# log; a login with curl (CSRF cookie, session cookie) and an API call with a token.
# Usage: admin_cli_test.sh OPENCAPF
set -uo pipefail
opencapf=$1
source "$(dirname "$0")/lib.sh"

serve_pid=
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

data="$work/data"
init_out=$("$opencapf" init --data "$data" 2>&1)
password=$(grep -A1 '^administrator password (shown once' <<<"$init_out" | tail -n 1)
check "init prints a generated password on its own line" \
  grep -Eq '^[a-z2-9]{5}-[a-z2-9]{5}-[a-z2-9]{5}-[a-z2-9]{5}$' <<<"$password"
check "init keeps no copy of the password it printed" test ! -e "$data/initial-admin-password"
check "the admin certificate was made" test -s "$data/certs/admin.pem"
check "its key is 0600" test "$(stat -c %a "$data/certs/admin.key")" = 600

# Tokens: the token alone on the last line; list; revoke.
out=$("$opencapf" admin token create ci-script --data "$data")
token=$(tail -n 1 <<<"$out")
check "token create prints the token alone on its last line" grep -Eq '^ocf_[A-Za-z0-9_-]{43}$' <<<"$token"
expect 1 "already an API token named 'ci-script'" -- "$opencapf" admin token create ci-script --data "$data"
expect 1 "not a token name" -- "$opencapf" admin token create "two words" --data "$data"
expect 0 '^ci-script +20[0-9-]+T[0-9:]+Z +never' -- "$opencapf" admin token list --data "$data"
expect 0 "API token 'spare' created" -- "$opencapf" admin token create spare --data "$data"
expect 0 "API token 'spare' revoked" -- "$opencapf" admin token revoke spare --data "$data"
expect 1 "no API token named 'spare'" -- "$opencapf" admin token revoke spare --data "$data"

# passwd: refuses without a terminal or --password-stdin, and short passwords.
expect 2 'give --password-stdin' -- "$opencapf" admin passwd --data "$data" </dev/null
expect 1 'use at least 12' -- bash -c "echo short | '$opencapf' admin passwd --password-stdin --data '$data'"
expect 2 'nothing on standard input' -- "$opencapf" admin passwd --password-stdin --data "$data" </dev/null
expect nonzero 'subcommand' -- "$opencapf" admin

# serve on an EMPTY directory initialises it: the password goes to a 0600 file, not the log.
data2="$work/data2"
admin_port=$(freeport)
"$opencapf" serve --data "$data2" --listen 127.0.0.1 --capf-port 0 --tftp-port 0 --tvs-port 0 --http-port 0 \
  --admin-port "$admin_port" >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do
  curl -s --cacert "$data2/certs/admin.pem" "https://127.0.0.1:$admin_port/healthz" >/dev/null && break
  sleep 0.1
done
first=$(cat "$data2/initial-admin-password" 2>/dev/null)
check "serve wrote the first password to initial-admin-password" test -n "$first"
check "... mode 0600" test "$(stat -c %a "$data2/initial-admin-password")" = 600
check "... and not to its log" bash -c "! grep -qF -- '$first' '$work/serve.log'"
check "the log says where it is" grep -q "initial-admin-password" "$work/serve.log"

url="https://127.0.0.1:$admin_port"

# A second server on the same administration port fails to start, saying so (it used to share the
# port silently: httplib's SO_REUSEPORT).
expect 1 "admin: cannot listen on 127.0.0.1:$admin_port" -- timeout 20 "$opencapf" serve --data "$data2" \
  --listen 127.0.0.1 --capf-port 0 --tftp-port 0 --tvs-port 0 --http-port 0 --admin-port "$admin_port"
curl_admin() { curl -s --cacert "$data2/certs/admin.pem" "$@"; }

# login() PASSWORD: the HTTP status of a login with the form's CSRF cookie and field.
login() {
  local jar="$work/jar"
  rm -f "$jar"
  local form csrf
  form=$(curl_admin -c "$jar" "$url/login")
  csrf=$(grep -o 'name="csrf" value="[^"]*"' <<<"$form" | sed 's/.*value="//; s/"$//')
  curl_admin -b "$jar" -c "$jar" -D "$work/login.headers" -o /dev/null -w '%{http_code}' \
    --data-urlencode "user=admin" --data-urlencode "password=$1" --data-urlencode "csrf=$csrf" \
    "$url/login"
}
check "the first password logs in (303 to the page)" test "$(login "$first")" = 303
check "the session cookie is HttpOnly, Secure, SameSite=Strict" grep -Eiq \
  '^set-cookie: opencapf_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; Secure; SameSite=Strict' \
  "$work/login.headers"
check "a wrong one is refused (401)" test "$(login "not the password")" = 401

# passwd: the new password works, the old one no longer does, the first-password file goes.
expect 0 'password is changed' -- bash -c \
  "printf '%s\n' 'a much better password' | '$opencapf' admin passwd --password-stdin --data '$data2'"
check "passwd removed initial-admin-password" test ! -e "$data2/initial-admin-password"
check "the new password logs in" test "$(login 'a much better password')" = 303
check "the old one does not" test "$(login "$first")" = 401

# A token from the CLI works against the running server at once; revoked, it does not.
token2=$("$opencapf" admin token create monitor --data "$data2" | tail -n 1)
check "a token from the CLI is accepted by the running server" \
  test "$(curl_admin -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token2" "$url/api/v1/session")" = 200
"$opencapf" admin token revoke monitor --data "$data2" >/dev/null
check "... and refused once revoked" \
  test "$(curl_admin -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token2" "$url/api/v1/session")" = 401

# The audit log has all of it, and no secret.
expect 0 'cli.*token.revoke monitor' -- "$opencapf" admin audit --data "$data2"
expect 0 'anonymous from 127.0.0.1  login.failed admin' -- "$opencapf" admin audit --data "$data2"
expect 0 'password.change admin' -- "$opencapf" admin audit --data "$data2"
expect 0 '"action": "login"' -- "$opencapf" admin audit --json --data "$data2"
check "no password in the audit log" bash -c \
  "! '$opencapf' admin audit --limit 0 --data '$data2' | grep -qE 'much better|$first'"

# Changes made with the other commands are audited too, with the same actions as the API's.
"$opencapf" device add SEP001122334455 --operation install --data "$data2" >/dev/null
"$opencapf" device set SEP001122334455 --key-order ec --data "$data2" >/dev/null
"$opencapf" device remove SEP001122334455 --data "$data2" >/dev/null
expect 0 'cli.*device.create SEP001122334455: Certificate Operation: No Pending Operation -> Install/Upgrade' -- \
  "$opencapf" admin audit --data "$data2"
expect 0 'cli.*device.update SEP001122334455: Key Order: RSA Only -> EC Only' -- "$opencapf" admin audit --data "$data2"
expect 0 'cli.*device.delete SEP001122334455' -- "$opencapf" admin audit --data "$data2"

finish
