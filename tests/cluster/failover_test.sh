#!/usr/bin/env bash
# Two `opencapf serve` nodes on a PostgreSQL primary with a streaming standby (pg_basebackup),
# given both on a multi-host URL with target_session_attrs=read-write. During a 100-phone load
# over both nodes the primary is stopped and the standby promoted: the nodes carry on by
# themselves — no restart —, every phone told its LSC is installed is Installed, and a device
# scheduled afterwards enrolls through either node.
set -u
opencapf=$1
. "$(dirname "$0")/lib.sh"
pg_dirs=("$work/primary" "$work/standby")

say "a primary, an empty database, a standby following it"
url=$("$pg_server" start "$work/primary") || { echo "FAIL: pg-server start"; exit 1; }
psql -q "$url" -c "CREATE DATABASE opencapf" || { echo "FAIL: CREATE DATABASE"; exit 1; }
standby_url=$("$pg_server" standby "$work/primary" "$work/standby") ||
  { echo "FAIL: pg-server standby"; exit 1; }
primary_port=$(cat "$work/primary/port")
standby_port=$(cat "$work/standby/port")
store="postgresql://opencapf@127.0.0.1:$primary_port,127.0.0.1:$standby_port/opencapf?target_session_attrs=read-write&connect_timeout=2"
check "the standby is in recovery" test "$(psql -tA "$standby_url" -c 'SELECT pg_is_in_recovery()')" = t

say "two nodes on the multi-host URL"
expect 0 "cluster c-[0-9a-f]+ created" -- "$opencapf" init --data "$work/a" --store "$store"
expect 0 "joined cluster" -- \
  "$opencapf" init --data "$work/b" --store "$store" --cluster-key "$work/a/cluster.key"
start a
start b
schedule a SEP00CC0A 50
schedule a SEP00CC0B 50

say "the primary stopped and the standby promoted during the load"
load "$a_capf" SEP00CC0A 50 "$work/load-a.json" &
load_a=$!
load "$b_capf" SEP00CC0B 50 "$work/load-b.json" &
load_b=$!
sleep 0.5
"$pg_server" stop "$work/primary" >/dev/null
"$pg_server" promote "$work/standby" >/dev/null
check "the standby took over" test "$(psql -tA "$standby_url" -c 'SELECT pg_is_in_recovery()')" = f
wait $load_a
wait $load_b
for pid in "${pids[@]}"; do check "node $pid still runs" kill -0 "$pid"; done
verdict=$(lost "$work/load-a.json" "$work/load-b.json")
echo "    $verdict"
check "every phone told Installed is Installed ($verdict)" grep -q "lost 0 " <<<"$verdict "

say "after the failover: both nodes enroll, with no restart"
"$opencapf" device add SEP00000000F001 --operation install --auth null-string --key-order ec \
  --data "$work/b" >/dev/null
"$opencapf" device add SEP00000000F002 --operation install --auth null-string --key-order ec \
  --data "$work/a" >/dev/null
ok=0
for _ in $(seq 20); do  # a node's pooled connections find the new primary on their next call
  "$opencapf" phone enroll SEP00000000F001 --tftp "127.0.0.1:$a_tftp" --capf "127.0.0.1:$a_capf" \
    --timeout 5 >"$work/f1.out" 2>&1 && { ok=1; break; }
  sleep 0.5
done
check "SEP00000000F001 enrolled through A" test $ok -eq 1
expect 0 "LSC: Installed" -- "$opencapf" phone enroll SEP00000000F002 --tftp "127.0.0.1:$b_tftp" \
  --capf "127.0.0.1:$b_capf" --timeout 5
expect 0 "LSC Status: *Installed" -- "$opencapf" device show SEP00000000F001 --data "$work/b"
expect 0 "2 node\\(s\\)" -- "$opencapf" cluster status --data "$work/a"
for pid in "${pids[@]}"; do check "node $pid still runs" kill -0 "$pid"; done

finish
