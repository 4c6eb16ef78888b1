#!/usr/bin/env bash
# Enrollments/s on SQLite and on PostgreSQL at the same concurrency, one node and two nodes, on
# this machine, in one run: `opencapf phone load` (EC P-256 phone keys from its pool) against
# `opencapf serve`, PostgreSQL from tests/pg-server on 127.0.0.1.
#
# Goals (issue #12): PostgreSQL on one node >= 80 % of SQLite; two nodes >= 1.6x one node. The
# second holds only where the nodes have cores of their own: here the two nodes, PostgreSQL and
# the load generator share the machine's cores, so the two-node figure says what this machine
# can do, not how a cluster scales.
#
# usage: bench/cluster_bench.sh OPENCAPF [PHONES] [CONCURRENCY]
set -u
opencapf=$(realpath "$1")
phones=${2:-300}
concurrency=${3:-16}
here=$(cd "$(dirname "$0")" && pwd)
pg_server="$here/../tests/pg-server"
work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  "$pg_server" stop "$work/pg" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

url=$("$pg_server" start "$work/pg") || exit 1
base=${url%/postgres}

# serve_node NAME: starts serve on DIR NAME; sets `port` to its CAPF port.
serve_node() {
  port=
  "$opencapf" serve --data "$work/$1" --listen 127.0.0.1 --capf-port 0 --tftp-port 0 --tvs-port 0 --http-port 0 \
    --admin-port 0 >"$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do
    port=$(sed -n 's/.*capf: listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/$1.log")
    [ -n "$port" ] && return 0
    sleep 0.05
  done
  echo "serve $1 did not start:" >&2
  cat "$work/$1.log" >&2
  return 1
}

# devices DIR PREFIX: schedules $phones installs named PREFIX...
devices() {
  { echo "name,operation,auth,key_order"
    for i in $(seq "$phones"); do printf '%s%08X,install,null-string,ec\n' "$2" "$i"; done
  } >"$work/$2.csv"
  "$opencapf" device import "$work/$2.csv" --data "$work/$1" >/dev/null
}

# load PORT PREFIX: runs the phones, prints "rate seconds ok".
load() {
  "$opencapf" phone load --capf "127.0.0.1:$1" --capf-cert "$work/capf.pem" --count "$phones" \
    --prefix "$2" --concurrency "$concurrency" --key ec:256 --json 2>/dev/null |
    python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["rate_per_s"], j["ok"], j["sessions"])'
}

"$opencapf" init --data "$work/lite" >/dev/null
cp "$work/lite/certs/capf.pem" "$work/capf.pem"
serve_node lite || exit 1
devices lite SEP00C1
read -r sqlite_rate sqlite_ok _ <<<"$(load "$port" SEP00C1)"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null; pids=()

psql -q "$url" -c "CREATE DATABASE bench" || exit 1
"$opencapf" init --data "$work/a" --store "$base/bench" >/dev/null
cp "$work/a/certs/capf.pem" "$work/capf.pem"
serve_node a || exit 1
port_a=$port
devices a SEP00C2
read -r pg1_rate pg1_ok _ <<<"$(load "$port_a" SEP00C2)"

"$opencapf" init --data "$work/b" --store "$base/bench" --cluster-key "$work/a/cluster.key" >/dev/null
serve_node b || exit 1
port_b=$port
devices a SEP00C3
devices a SEP00C4
start=$(date +%s.%N)
load "$port_a" SEP00C3 >"$work/two-a" &
la=$!
load "$port_b" SEP00C4 >"$work/two-b" &
lb=$!
wait $la $lb
end=$(date +%s.%N)
read -r _ two_ok_a _ <"$work/two-a"
read -r _ two_ok_b _ <"$work/two-b"
pg2_rate=$(python3 -c "print(round(($two_ok_a + $two_ok_b) / ($end - $start), 1))")

python3 - "$sqlite_rate" "$pg1_rate" "$pg2_rate" "$phones" "$concurrency" "$sqlite_ok" "$pg1_ok" \
  "$((two_ok_a + two_ok_b))" "$(nproc)" <<'PY'
import sys
sqlite, pg1, pg2 = map(float, sys.argv[1:4])
phones, conc, ok_s, ok_1, ok_2, cores = sys.argv[4:10]
print("enrollments/s, %s phones per run, concurrency %s, EC P-256, %s cores shared by everything" % (phones, conc, cores))
print("  %-28s %8.1f/s  (%s ok)" % ("SQLite, one node", sqlite, ok_s))
print("  %-28s %8.1f/s  (%s ok)  %5.0f %% of SQLite   goal >= 80 %%  %s" % (
    "PostgreSQL, one node", pg1, ok_1, 100 * pg1 / sqlite, "met" if pg1 >= 0.8 * sqlite else "NOT met"))
print("  %-28s %8.1f/s  (%s ok)  %5.2fx one node    goal >= 1.6x  %s" % (
    "PostgreSQL, two nodes", pg2, ok_2, pg2 / pg1, "met" if pg2 >= 1.6 * pg1 else "NOT met (shared cores)"))
PY
