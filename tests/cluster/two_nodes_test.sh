#!/usr/bin/env bash
# Two `opencapf serve` nodes on one PostgreSQL (Debian's, started by tests/pg-server on 127.0.0.1):
#   - a device added through node A's CLI enrolls through node B's CAPF and shows Installed on A
#   - the same scheduled device enrolled through A and B at once: exactly one LSC, 10 rounds
#   - `trust add` on A: B's TVS answers valid within the server's watch interval
#   - the database stopped: TVS on both nodes keeps answering, CAPF refuses, no node dies;
#     started again: enrollments succeed without restarting either node.
# The nodes share their service certificates by copying A's certs/ to B (the store does not
# carry them yet; see docs/cluster.md).
set -u
opencapf=$1
enroll=$2
. "$(dirname "$0")/../cli/lib.sh"
pg_server="$(dirname "$0")/../pg-server"
chmod 755 "$work"  # as root the database server runs as nobody, who must reach its directory

pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  "$pg_server" stop "$work/pg" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
say() { echo "== $*"; }

say "a PostgreSQL server and an empty database"
url=$("$pg_server" start "$work/pg") || { echo "FAIL: pg-server start"; exit 1; }
base=${url%/postgres}
psql -q "$url" -c "CREATE DATABASE opencapf" || { echo "FAIL: CREATE DATABASE"; exit 1; }
store="$base/opencapf"

say "node A and node B initialised on it"
expect 0 "device store: postgresql 127.0.0.1:[0-9]+/opencapf" -- \
  "$opencapf" init --data "$work/a" --store "$store"
expect 0 "initialised" -- "$opencapf" init --data "$work/b" --store "$store"
cp "$work/a/certs/"* "$work/b/certs/"
expect 0 "^url = \"postgresql://" -- grep '^url' "$work/b/opencapf.toml"
expect 2 "is not a PostgreSQL URL" -- "$opencapf" init --data "$work/c" --store "mysql://x/y"

# start NAME: `serve` for node NAME on free ports; sets NAME_capf and NAME_tvs.
start() {
  local name=$1
  "$opencapf" serve --data "$work/$name" --listen 127.0.0.1 --capf-port 0 --tftp-port 0 \
    --tvs-port 0 --admin-port 0 --threads 2 >"$work/$name.log" 2>&1 &
  pids+=($!)
  local capf= tvs=
  for _ in $(seq 100); do
    capf=$(sed -n 's/.*capf: listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/$name.log")
    tvs=$(sed -n 's/.*tvs: listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/$name.log")
    [ -n "$capf" ] && [ -n "$tvs" ] && break
    sleep 0.1
  done
  check "node $name started" test -n "$capf" -a -n "$tvs"
  [ -n "$capf" ] || { cat "$work/$name.log"; finish; exit 1; }
  printf -v "${name}_capf" %s "$capf"
  printf -v "${name}_tvs" %s "$tvs"
}
start a
start b

say "added on A, enrolled through B, Installed on A"
"$opencapf" device add SEP00000000C001 --operation install --auth null-string --data "$work/a" >/dev/null
expect 0 "enrolled SEP00000000C001" -- \
  "$enroll" 127.0.0.1 "$b_capf" SEP00000000C001 "$work/c1.pem" "$work/c1.key"
expect 0 "LSC Status: *Installed" -- "$opencapf" device show SEP00000000C001 --data "$work/a"
expect 0 "LSC Status: *Installed" -- "$opencapf" device show SEP00000000C001 --data "$work/b"

say "one scheduled device, two nodes at once: exactly one LSC per round"
"$opencapf" device add SEP00000000C002 --operation install --auth null-string --data "$work/a" >/dev/null
one_lsc=0
for round in $(seq 10); do
  "$opencapf" device set SEP00000000C002 --operation install --data "$work/a" >/dev/null
  "$enroll" 127.0.0.1 "$a_capf" SEP00000000C002 "$work/r$round-a.pem" "$work/r$round-a.key" \
    >"$work/r$round-a.out" 2>&1 &
  ea=$!
  "$enroll" 127.0.0.1 "$b_capf" SEP00000000C002 "$work/r$round-b.pem" "$work/r$round-b.key" \
    >"$work/r$round-b.out" 2>&1 &
  eb=$!
  wait $ea
  ra=$?
  wait $eb
  rb=$?
  if { [ $ra -eq 0 ] && [ $rb -ne 0 ]; } || { [ $ra -ne 0 ] && [ $rb -eq 0 ]; }; then
    one_lsc=$((one_lsc + 1))
  else
    echo "round $round: A exit $ra, B exit $rb"
    cat "$work/r$round-a.out" "$work/r$round-b.out" | sed 's/^/    /'
  fi
done
check "every round issued exactly one LSC ($one_lsc of 10)" test "$one_lsc" -eq 10

say "trust add on A, B's TVS answers"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/pub.key" -out "$work/pub.pem" \
  -days 30 -subj "/CN=publisher.example" 2>/dev/null
expect 1 "invalid|not trusted|unknown" -- \
  "$opencapf" tvs query "$work/pub.pem" --server "127.0.0.1:$b_tvs"
"$opencapf" trust add "$work/pub.pem" --roles CCM --data "$work/a" >/dev/null
# vouched PORT: the TVS on PORT answers valid within 5 s (nodes look at the store every 2 s).
vouched() {
  for _ in $(seq 50); do
    "$opencapf" tvs query "$work/pub.pem" --server "127.0.0.1:$1" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}
check "B's TVS vouches for what A trusted" vouched "$b_tvs"
check "and so does A's" vouched "$a_tvs"

say "the database stopped: TVS answers on both nodes, CAPF refuses, nobody dies"
"$opencapf" device add SEP00000000C003 --operation install --auth null-string --data "$work/a" >/dev/null
"$pg_server" stop "$work/pg" >/dev/null
expect 0 "valid" -- "$opencapf" tvs query "$work/pub.pem" --server "127.0.0.1:$a_tvs"
expect 0 "valid" -- "$opencapf" tvs query "$work/pub.pem" --server "127.0.0.1:$b_tvs"
expect nonzero "." -- timeout 30 "$enroll" 127.0.0.1 "$b_capf" SEP00000000C003 "$work/c3.pem" "$work/c3.key"
for pid in "${pids[@]}"; do check "node $pid still runs" kill -0 "$pid"; done

say "the database back: enrollments succeed again, no node restarted"
"$pg_server" start "$work/pg" >/dev/null
expect 0 "enrolled SEP00000000C003" -- \
  "$enroll" 127.0.0.1 "$b_capf" SEP00000000C003 "$work/c3.pem" "$work/c3.key"
expect 0 "LSC Status: *Installed" -- "$opencapf" device show SEP00000000C003 --data "$work/a"
for pid in "${pids[@]}"; do check "node $pid still runs" kill -0 "$pid"; done

finish
