#!/usr/bin/env bash
# CAPF (and TVS) at the speed of their cryptography, on this machine, in one run (issue #13).
#
# `opencapf serve` runs pinned to one core (with --threads 1: one core, one I/O thread), the load
# generators (`opencapf phone load`, `opencapf tvs load`) pinned to the other. The server's CPU
# time (utime + stime from /proc/PID/stat) over each run, divided by the sessions it completed,
# is the cost per session; beside it, the bound: the signatures a session needs, timed by
# `openssl speed` in this same run on this same machine.
#
#   CAPF enrollment: one signature in the TLS handshake (CertificateVerify / ServerKeyExchange)
#                    and one on the LSC, both by the CAPF key.
#   TVS verification: one signature in the handshake by the TVS key (RSA-2048).
#
# Goals: RSA-2048 CAPF key, CPU per enrollment <= 1.25x two signatures (>= 80 % of the bound);
# EC P-256 CAPF key, <= 0.2 ms per enrollment; TVS >= 80 % of one RSA-2048 signature per
# handshake; p99 <= 3x p50 at concurrency 64; with 2,000 sessions held at key generation, other
# phones' p99 <= 2x and the server's memory <= 100 KiB per held session.
#
# usage: bench/capf_bench.sh OPENCAPF [PHONES]
set -u
ulimit -n 65536 2>/dev/null || true  # 2,000 held sessions: a socket each on both sides
opencapf=$(realpath "$1")
phones=${2:-${CAPF_BENCH_PHONES:-3000}}
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

cores=$(nproc)
if [ "$cores" -ge 2 ]; then
  server_cpu=0
  client_cpu=1
else
  server_cpu=0
  client_cpu=0
fi
pin_server=(taskset -c "$server_cpu")
pin_client=(taskset -c "$client_cpu")
command -v taskset >/dev/null || { pin_server=(); pin_client=(); }

# cpu_ms PID: the process's user + system CPU time so far, in milliseconds.
cpu_ms() {
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1000 / hz }' "/proc/$1/stat"
}
# rss_kib PID
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

# openssl_sign_ms ALGORITHM: milliseconds per signature (`openssl speed -mr`, one process, on the
# server's core).
openssl_sign_ms() {
  "${pin_server[@]}" openssl speed -seconds 2 -mr "$1" 2>/dev/null |
    awk -F: '/^\+F[0-9]*:/ { printf "%.4f\n", 1000 / $4; exit }'
}

# serve_node NAME: starts serve on $work/NAME, pinned; sets server_pid, capf_port, tvs_port.
serve_node() {
  capf_port= tvs_port=
  "${pin_server[@]}" "$opencapf" serve --data "$work/$1" --listen 127.0.0.1 --capf-port 0 \
    --tftp-port 0 --tvs-port 0 --http-port 0 --admin-port 0 --threads 1 >"$work/$1.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 200); do
    capf_port=$(sed -n 's/.*capf: listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/$1.log")
    tvs_port=$(sed -n 's/.*tvs: listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/$1.log")
    [ -n "$capf_port" ] && [ -n "$tvs_port" ] && return 0
    sleep 0.05
  done
  echo "serve $1 did not start:" >&2
  cat "$work/$1.log" >&2
  return 1
}

stop_node() {
  kill "$server_pid" 2>/dev/null
  wait "$server_pid" 2>/dev/null
  pids=()
}

# schedule NAME PREFIX COUNT: schedules COUNT installs named PREFIX... on node NAME.
schedule() {
  { echo "name,operation,auth,key_order"
    for i in $(seq "$3"); do printf '%s%08X,install,null-string,ec\n' "$2" "$i"; done
  } >"$work/$2.csv"
  "$opencapf" device import "$work/$2.csv" --data "$work/$1" >/dev/null
}

# load_fields JSON CPU_BEFORE CPU_AFTER: "ok rate p50 p90 p99 server_cpu_ms errors" from a load
# generator's --json output and the server's CPU time around it.
load_fields() {
  python3 - "$@" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
print(j["ok"], j["rate_per_s"], j["latency_ms"]["p50"], j["latency_ms"]["p90"],
      j["latency_ms"]["p99"], float(sys.argv[3]) - float(sys.argv[2]), j["errors"])
PY
}

# capf_run NAME PREFIX CONCURRENCY [COUNT]: one phone load; prints
# "ok rate p50 p90 p99 server_cpu_ms errors".
capf_run() {
  local before after
  before=$(cpu_ms "$server_pid")
  "${pin_client[@]}" "$opencapf" phone load --capf "127.0.0.1:$capf_port" \
    --capf-cert "$work/$1/certs/capf.pem" --count "${4:-$phones}" --prefix "$2" \
    --concurrency "$3" --key ec:256 --threads 1 --json >"$work/load.json" 2>"$work/load.err"
  after=$(cpu_ms "$server_pid")
  load_fields "$work/load.json" "$before" "$after"
}

# tvs_run NAME CONCURRENCY COUNT [TVS_CERT CERT DEVICE]: one tvs load (by default against node
# NAME, about its CAPF certificate); prints the same fields as capf_run.
tvs_run() {
  local before after
  before=$(cpu_ms "$server_pid")
  "${pin_client[@]}" "$opencapf" tvs load --tvs "127.0.0.1:$tvs_port" \
    --tvs-cert "${4:-$work/$1/certs/tvs.pem}" --cert "${5:-$work/$1/certs/capf.pem}" \
    ${6:+--device "$6"} --count "$3" --concurrency "$2" --threads 1 --json \
    >"$work/tvs.json" 2>"$work/tvs.err"
  after=$(cpu_ms "$server_pid")
  load_fields "$work/tvs.json" "$before" "$after"
}

# report LABEL BOUND_MS GOAL_RATIO OK RATE P50 P90 P99 CPU_MS ERRORS
report() {
  python3 - "$@" <<'PY'
import sys
label, bound, goal = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
ok, rate, p50, p90, p99, cpu, errors = sys.argv[4:11]
ok, cpu = int(ok), float(cpu)
per = cpu / ok if ok else float("nan")
ratio = per / bound if bound else float("nan")
verdict = ("goal <= %.2fx %s" % (goal, "met" if ratio <= goal else "NOT met")) if goal else "(reference)"
print("  %-36s %7.1f/s  p50 %6.1f p90 %6.1f p99 %6.1f ms  server %.3f ms/session "
      "(%5.0f/s per core)  bound %.3f ms  %.2fx  %s%s" % (
          label, float(rate), float(p50), float(p90), float(p99), per,
          1000 / per if per else 0, bound, ratio, verdict,
          "" if errors == "0" else "  (%s errors)" % errors))
PY
}

# held_sessions NAME: 2,000 phones held at key generation (REQUEST_IN_PROGRESS, then two
# minutes of "making the key"), and beside them the concurrency-16 run again: the other phones'
# p99 with and without them, and the server's memory per held session.
held_sessions() {
  local held=2000 rss_before rss_held base_p99 hold_pid
  schedule "$1" SEP00D1 "$held"
  schedule "$1" SEP00C3 "$phones"
  schedule "$1" SEP00C4 "$phones"
  read -r _ _ _ _ base_p99 _ _ <<<"$(capf_run "$1" SEP00C4 16)"
  rss_before=$(rss_kib "$server_pid")
  "${pin_client[@]}" "$opencapf" phone load --capf "127.0.0.1:$capf_port" \
    --capf-cert "$work/$1/certs/capf.pem" --count "$held" --prefix SEP00D1 \
    --concurrency "$held" --key ec:256 --threads 1 --keygen-delay 120000 --timeout 300 \
    >/dev/null 2>&1 &
  hold_pid=$!
  pids+=("$hold_pid")
  for _ in $(seq 600); do
    [ "$(ss -Htn state established "( sport = :$capf_port )" | wc -l)" -ge "$held" ] && break
    sleep 0.1
  done
  sleep 1
  rss_held=$(rss_kib "$server_pid")
  local open
  open=$(ss -Htn state established "( sport = :$capf_port )" | wc -l)
  local line
  line=$(capf_run "$1" SEP00C3 16)
  kill "$hold_pid" 2>/dev/null
  wait "$hold_pid" 2>/dev/null
  python3 - "$base_p99" "$rss_before" "$rss_held" "$open" $line <<'PY'
import sys
base_p99, rss_before, rss_held, held = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ok, rate, p50, p90, p99 = sys.argv[5:10]
ratio = float(p99) / base_p99 if base_p99 else float("nan")
per = (rss_held - rss_before) / held if held else float("nan")
print("  %-36s %7.1f/s  p99 %6.1f ms beside %d held sessions, %6.1f ms without: %.2fx  goal <= 2x %s" % (
    "concurrency 16 + held", float(rate), float(p99), held, base_p99, ratio, "met" if ratio <= 2 else "NOT met"))
print("  %-36s %7.1f KiB per held session (RSS %d -> %d KiB)  goal <= 100 KiB %s" % (
    "memory", per, rss_before, rss_held, "met" if per <= 100 else "NOT met"))
PY
}

rsa_ms=$(openssl_sign_ms rsa2048)
p256_ms=$(openssl_sign_ms ecdsap256)
echo "bounds (openssl speed, server core): RSA-2048 sign ${rsa_ms} ms, ECDSA P-256 sign ${p256_ms} ms"
echo "server: one core (cpu $server_cpu), --threads 1; load: cpu $client_cpu; $phones phones per run, EC P-256 phone keys"

# CAPF, RSA-2048 key, then EC P-256 key.
for key in rsa:2048 ec:256; do
  node=${key/:/}
  "$opencapf" init --data "$work/$node" --capf-key "$key" >/dev/null || exit 1
  # Room for the 2,000 held sessions and the phones measured beside them.
  sed -i 's/^max_sessions = 2000$/max_sessions = 2500/' "$work/$node/opencapf.toml"
  if [ "$key" = rsa:2048 ]; then bound=$(python3 -c "print(2 * $rsa_ms)"); goal=1.25
  else bound=0.2; goal=1.0; fi
  schedule "$node" SEP00C1 "$phones"
  schedule "$node" SEP00C2 "$phones"
  serve_node "$node" || exit 1
  echo "CAPF, $key CAPF key (bound: $([ "$key" = rsa:2048 ] && echo "two RSA-2048 signatures" || echo "0.2 ms, the goal itself"))"
  # shellcheck disable=SC2046
  report "concurrency 16" "$bound" "$goal" $(capf_run "$node" SEP00C1 16)
  # shellcheck disable=SC2046
  report "concurrency 64" "$bound" "$goal" $(capf_run "$node" SEP00C2 64)
  if [ "$key" = rsa:2048 ]; then held_sessions "$node"; fi
  stop_node
done

# TVS on the RSA node (its TVS key is RSA-2048), then the floor beside it: bench/
# tvs_floor_server answers every request "valid" with the same certificate and TLS settings and
# nothing else (no store, no log), the least any TVS server on this TLS stack can do.
serve_node rsa2048 || exit 1
echo "TVS, RSA-2048 TVS key (bound: one RSA-2048 signature per handshake)"
# shellcheck disable=SC2046
report "opencapf, concurrency 16" "$rsa_ms" 1.25 $(tvs_run rsa2048 16 "$((phones * 2))")
# shellcheck disable=SC2046
report "opencapf, concurrency 64" "$rsa_ms" 1.25 $(tvs_run rsa2048 64 "$((phones * 2))")
stop_node
floor=$(dirname "$opencapf")/../../bench/tvs_floor_server
# start_floor CERT KEY: the floor server pinned as serve is; sets server_pid and tvs_port.
start_floor() {
  "${pin_server[@]}" "$floor" "$1" "$2" >"$work/floor.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 100); do
    tvs_port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$work/floor.log")
    [ -n "$tvs_port" ] && break
    sleep 0.05
  done
}
if [ -x "$floor" ]; then
  start_floor "$work/rsa2048/certs/tvs.pem" "$work/rsa2048/certs/tvs.key"
  # shellcheck disable=SC2046
  report "floor (handshake + answer), conc 16" "$rsa_ms" 0 $(tvs_run rsa2048 16 "$((phones * 2))")
  stop_node
  # The same floor with the EC P-256 CAPF certificate: the least a TLS 1.3 handshake costs a
  # server whose key is the one the EC CAPF goal (0.2 ms per enrollment) is set for. An enrollment
  # is this handshake and more (the LSC, the store, eight more messages).
  start_floor "$work/ec256/certs/capf.pem" "$work/ec256/certs/capf.key"
  echo "TLS floor, EC P-256 certificate (the CAPF EC goal is 0.2 ms for a whole enrollment)"
  # shellcheck disable=SC2046
  report "floor (handshake + answer), conc 16" 0.2 0 \
    $(tvs_run ec256 16 "$((phones * 2))" "$work/ec256/certs/capf.pem" "$work/ec256/certs/capf.pem")
  stop_node
fi
# Another TVS server: tests/cli/recorded_tvs.py (Python's ssl module, one connection at a time),
# answering the request recorded in ../shared/testdata/tvs, with an RSA-2048 key of its own.
recorded=$(dirname "$0")/../tests/cli/recorded_tvs.py
testdata=${OPENCAPF_TESTDATA:-$(dirname "$0")/../../shared/testdata}
if [ -f "$recorded" ] && [ -d "$testdata/tvs" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/py-tvs.key" -out "$work/py-tvs.pem" \
    -subj "/CN=python-tvs" -days 7 2>/dev/null
  "${pin_server[@]}" python3 "$recorded" "$work/py-tvs.pem" "$work/py-tvs.key" "$testdata/tvs" \
    "$work/py-port" &
  server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 100); do [ -s "$work/py-port" ] && break; sleep 0.05; done
  tvs_port=$(cat "$work/py-port")
  # shellcheck disable=SC2046
  report "another TVS (Python ssl), conc 16" "$rsa_ms" 0 $(tvs_run - 16 "$phones" \
    "$work/py-tvs.pem" "$testdata/tvs/known.crt" CP-7962-SEP001122334455)
  stop_node
fi
