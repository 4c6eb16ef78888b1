#!/usr/bin/env bash
# `opencapf status` and what goes with running as a service: the runtime file serve writes once
# every listener is bound, doctor checking the ports serve really uses, the configuration outside
# the data directory (--config, as the package's /etc/opencapf), journald's log form, and a data
# directory that belongs to another user (the package's opencapf) used by root.
# Usage: status_cli_test.sh OPENCAPF
source "$(dirname "$0")/lib.sh"
opencapf=$(realpath "${1:?usage: status_cli_test.sh OPENCAPF}")
serve_pid=
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# ---- Unusual ports, the default data directory (var/opencapf here), no flags afterwards.
cd "$work"
capf_port=$(freeport SOCK_STREAM)
tvs_port=$(freeport SOCK_STREAM)
tftp_port=$(freeport SOCK_DGRAM)
http_port=$(freeport SOCK_STREAM)
expect 2 "not an opencapf data directory" -- "$opencapf" status
"$opencapf" init >/dev/null || { echo "FAIL: init"; exit 1; }
expect 3 "not running on var/opencapf" -- "$opencapf" status
"$opencapf" serve --listen 127.0.0.1 --capf-port "$capf_port" --tftp-port "$tftp_port" \
  --tvs-port "$tvs_port" --http-port "$http_port" --admin-port 0 --threads 2 >"$work/serve.log" 2>&1 &
serve_pid=$!
wait_for "status.json" 60 test -e var/opencapf/status.json || { cat "$work/serve.log"; exit 1; }
expect 0 "capf +127\.0\.0\.1:$capf_port/tcp" -- "$opencapf" status
expect 0 "tftp +127\.0\.0\.1:$tftp_port/udp" -- "$opencapf" status
expect 0 "is running: PID $serve_pid" -- "$opencapf" status
"$opencapf" status --json >"$work/status.json"
expect 0 "^$tvs_port\$" -- python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print([l['port'] for l in d['listeners'] if l['service']=='tvs'][0])" "$work/status.json"
expect 0 "\"running\": true" -- cat "$work/status.json"
# Before status.json existed, doctor checked 3804 and 2445 from the configuration: CAPF down.
expect 0 "OK   capf: CAPF answers on 127\.0\.0\.1:$capf_port" -- "$opencapf" doctor --timeout 2
expect 0 "OK   tvs: TVS answers on 127\.0\.0\.1:$tvs_port" -- "$opencapf" doctor --timeout 2
expect 0 "OK   tftp 127\.0\.0\.1:$tftp_port: the TFTP server answers" -- "$opencapf" doctor --timeout 2
expect 0 "OK   server: opencapf serve .* runs as PID $serve_pid" -- "$opencapf" doctor --timeout 2
# Outside journald: a timestamp and the level on each line, on stderr.
expect 0 "^\[20[0-9-]+ [0-9:.]+\] \[info\] capf: listening on 127\.0\.0\.1:$capf_port" -- cat "$work/serve.log"
kill "$serve_pid"
wait "$serve_pid"
check "serve stops with 0 on SIGTERM" test $? -eq 0
serve_pid=
check "serve removes status.json when it stops" test ! -e var/opencapf/status.json
expect 3 "not running" -- "$opencapf" status
expect 3 '"running": false' -- "$opencapf" status --json

# A runtime file left by a server that was killed: status and doctor say it ended.
"$opencapf" serve --listen 127.0.0.1 --capf-port 0 --tftp-port 0 --tvs-port 0 --http-port 0 \
  --admin-port 0 --threads 1 >"$work/serve2.log" 2>&1 &
serve_pid=$!
wait_for "status.json" 60 test -e var/opencapf/status.json || { cat "$work/serve2.log"; exit 1; }
kill -9 "$serve_pid"
wait "$serve_pid" 2>/dev/null
serve_pid=
expect 3 "names PID [0-9]+, which has ended" -- "$opencapf" status
expect nonzero "WARN server: .* which has ended" -- "$opencapf" doctor --timeout 1
# Another port taken: serve fails to start, says which, and leaves no runtime file.
rm -f var/opencapf/status.json
python3 -c "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(60)" >"$work/taken" &
taker=$!
wait_for "a taken port" 10 test -s "$work/taken"
expect 1 "$(cat "$work/taken")" -- "$opencapf" serve --listen 127.0.0.1 --capf-port "$(cat "$work/taken")" \
  --tftp-port 0 --tvs-port 0 --http-port 0 --admin-port 0
kill "$taker"
check "a server that failed to start leaves no runtime file" test ! -e var/opencapf/status.json

# ---- Under journald: JOURNAL_STREAM names stderr, so each line is "<priority>message".
touch "$work/journal.log"
(
  export JOURNAL_STREAM
  JOURNAL_STREAM=$(stat -c '%d:%i' "$work/journal.log")
  exec "$opencapf" serve --listen 127.0.0.1 --capf-port 0 --tftp-port 0 --tvs-port 0 --http-port 0 \
    --admin-port 0 --threads 1 2>>"$work/journal.log"
) &
serve_pid=$!
wait_for "status.json" 60 test -e var/opencapf/status.json || { cat "$work/journal.log"; exit 1; }
kill "$serve_pid" && wait "$serve_pid"
serve_pid=
expect 0 "^<6>capf: listening on 127\.0\.0\.1:" -- cat "$work/journal.log"
expect 0 "^<6>stopped$" -- cat "$work/journal.log"
check "no timestamp of its own under journald" bash -c "! grep -q '^\[' '$work/journal.log'"

# ---- The configuration outside the data directory (--config): init keeps it, never writes it.
"$opencapf" init --print-config >"$work/external.toml"
expect 0 "^\[capf\]" -- cat "$work/external.toml"
sed -i 's/^port = 3804$/port = 13804/' "$work/external.toml"
cp "$work/external.toml" "$work/external.before"
expect 0 "kept as it is" -- "$opencapf" init --data "$work/ext" --config "$work/external.toml"
check "init leaves an external configuration as it was" cmp -s "$work/external.toml" "$work/external.before"
check "no configuration inside the data directory" test ! -e "$work/ext/opencapf.toml"
expect 1 "already initialised \(.*/ext/initialised exists\)" -- "$opencapf" init --data "$work/ext" --config "$work/external.toml"
expect 2 "not an opencapf data directory" -- "$opencapf" status --data "$work/ext"
expect 3 "not running" -- "$opencapf" status --data "$work/ext" --config "$work/external.toml"

# ---- Root on a data directory that belongs to another user: serve and init refuse (the service
# could not read what they wrote); other commands act as that user.
if [ "$(id -u)" -eq 0 ] && getent passwd nobody >/dev/null; then
  chmod 755 "$work"
  "$opencapf" init --data "$work/owned" >/dev/null
  chown -R nobody: "$work/owned"
  expect 2 "belongs to nobody.*systemctl start opencapf" -- "$opencapf" serve --data "$work/owned"
  expect 0 "" -- "$opencapf" device add SEP00AABBCC0202 --operation install --auth null-string --data "$work/owned"
  others=$(find "$work/owned" ! -user nobody)
  check "what root's device add wrote belongs to nobody (others: ${others:-none})" test -z "$others"
  expect 0 "SEP00AABBCC0202" -- "$opencapf" device list --data "$work/owned"
fi
finish
