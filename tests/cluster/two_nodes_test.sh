#!/usr/bin/env bash
# Two `opencapf serve` nodes on one PostgreSQL (Debian's, started by tests/pg-server on 127.0.0.1):
#   - a device added through node A's CLI enrolls through node B's CAPF and shows Installed on A
#   - the same scheduled device enrolled through A and B at once: exactly one LSC, 20 rounds
#   - `trust add` on A: B's TVS answers valid within the server's watch interval
#   - B joins A's cluster with its key: both present one CAPF certificate and serve byte-identical
#     ITLFile.tlv; `cert regenerate capf` on B reaches A within 5 s; `cluster status` sees both
#   - a dump of the database holds no private key; `store migrate` moves a one-node installation in
#   - the database stopped: TVS on both nodes keeps answering, CAPF refuses, no node dies;
#     started again: enrollments succeed without restarting either node.
#   - kill -9 of A during a 200-phone load over A and B: every phone told its LSC is installed
#     is Installed; the simulator given A and B as TFTP servers then enrolls through B.
set -u
opencapf=$1
enroll=$2
. "$(dirname "$0")/lib.sh"
pg_dirs=("$work/pg")

say "a PostgreSQL server and an empty database"
url=$("$pg_server" start "$work/pg") || { echo "FAIL: pg-server start"; exit 1; }
base=${url%/postgres}
psql -q "$url" -c "CREATE DATABASE opencapf" || { echo "FAIL: CREATE DATABASE"; exit 1; }
store="$base/opencapf"

say "node A creates the cluster, node B joins it with A's key"
expect 0 "device store: postgresql 127.0.0.1:[0-9]+/opencapf" -- \
  "$opencapf" init --data "$work/a" --store "$store"
expect 0 "^600$" -- stat -c %a "$work/a/cluster.key"
expect 1 "holds cluster c-[0-9a-f]+ already; join it with --cluster-key" -- \
  "$opencapf" init --data "$work/b" --store "$store"
printf 'opencapf cluster key v1\n%064d\n' 0 >"$work/wrong.key"
expect 1 "is not the key of cluster" -- \
  "$opencapf" init --data "$work/b" --store "$store" --cluster-key "$work/wrong.key"
cp "$work/a/cluster.key" "$work/a-key-copy"
expect 0 "joined cluster c-[0-9a-f]+" -- \
  "$opencapf" init --data "$work/b" --store "$store" --cluster-key "$work/a-key-copy"
expect 0 "^url = \"postgresql://" -- grep '^url' "$work/b/opencapf.toml"
check "B has A's CAPF certificate" cmp -s "$work/a/certs/capf.pem" "$work/b/certs/capf.pem"
check "and its key, 0600" test "$(stat -c %a "$work/b/certs/capf.key")" = 600
check "but a page certificate of its own" test -f "$work/b/certs/admin.pem"
expect 2 "is not a PostgreSQL URL" -- "$opencapf" init --data "$work/c" --store "mysql://x/y"
expect 2 "--cluster-key requires --store" -- "$opencapf" init --data "$work/c" --cluster-key "$work/a-key-copy"

say "no private key in a dump of the database"
pg_dump "$store" >"$work/dump.sql"
check "pg_dump worked" test -s "$work/dump.sql"
check "not one PRIVATE KEY block in it" test "$(grep -c "PRIVATE KEY" "$work/dump.sql")" -eq 0
check "but the sealed keys are" grep -q "certificate_files" "$work/dump.sql"

start a
start b

say "one CAPF certificate, one ITL"
check "A presents the cluster's CAPF certificate" \
  test "$(presented "$a_capf")" = "$(fingerprint "$work/a/certs/capf.pem")"
check "B presents the same" test "$(presented "$b_capf")" = "$(presented "$a_capf")"
itl "$a_tftp" "$work/itl-a" && itl "$b_tftp" "$work/itl-b"
check "both ITLFile.tlv fetched" test -s "$work/itl-a" -a -s "$work/itl-b"
check "byte-identical" cmp "$work/itl-a" "$work/itl-b"
sleep 3  # a heartbeat from each
expect 0 "2 node\(s\)" -- "$opencapf" cluster status --data "$work/a"
expect 0 "\"itl_matches\": true" -- "$opencapf" cluster status --data "$work/b" --json
expect 0 "cluster c-[0-9a-f]+, this node .*:$a_capf" -- "$opencapf" status --data "$work/a"
"$opencapf" status --data "$work/b" --json >"$work/status-b.json"
expect 0 "^2 True$" -- python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(len(d['nodes']), all(n['answering'] for n in d['nodes']))" "$work/status-b.json"
"$opencapf" doctor --data "$work/a" >"$work/doctor.out" 2>&1
check "doctor finds both nodes presenting the cluster's CAPF certificate" \
  test "$(grep -c "CAPF presents the cluster's CAPF certificate" "$work/doctor.out")" -eq 2
check "and serving the cluster's ITL" \
  test "$(grep -c ": serves the cluster's ITLFile.tlv" "$work/doctor.out")" -eq 2
check "doctor finds both nodes serving the cluster's ITL over HTTP" \
  test "$(grep -c "HTTP provisioning serves the cluster's ITLFile.tlv" "$work/doctor.out")" -eq 2
check "and holding the cluster's key" grep -q "this node holds the cluster's key" "$work/doctor.out"
say "a password set on A logs in on B, whose dashboard lists both nodes"
printf '%s\n' 'one password for the cluster' |
  "$opencapf" admin passwd --password-stdin --data "$work/a" >/dev/null
b_url="https://127.0.0.1:$b_admin"
jar="$work/jar"
form=$(curl -s --cacert "$work/b/certs/admin.pem" -c "$jar" "$b_url/login")
csrf=$(grep -o 'name="csrf" value="[^"]*"' <<<"$form" | sed 's/.*value="//; s/"$//')
status=$(curl -s --cacert "$work/b/certs/admin.pem" -b "$jar" -c "$jar" -o /dev/null -w '%{http_code}' \
  --data-urlencode "user=admin" --data-urlencode "password=one password for the cluster" \
  --data-urlencode "csrf=$csrf" "$b_url/login")
check "B accepts the password set through A (303)" test "$status" = 303
curl -s --cacert "$work/b/certs/admin.pem" -b "$jar" "$b_url/" >"$work/dashboard.html"
check "B's dashboard has the node table" grep -q 'id="nodes"' "$work/dashboard.html"
check "listing both nodes" test "$(grep -o 'data-node="[^"]*"' "$work/dashboard.html" | sort -u | wc -l)" -eq 2
check "both serving the cluster's ITL" test "$(grep -o "the cluster's (" "$work/dashboard.html" | wc -l)" -eq 2

"$opencapf" init --data "$work/solo" >/dev/null
expect 1 "one node, not a cluster" -- "$opencapf" cluster status --data "$work/solo"

say "store migrate: a one-node installation moves into its own database"
"$opencapf" device add SEP00000000D001 --operation install --auth null-string --data "$work/solo" >/dev/null
"$opencapf" device revoke SEP00000000D001 --data "$work/solo" >/dev/null 2>&1  # no LSC: refused, history kept
"$opencapf" trust add "$work/a/certs/tvs.pem" --roles TVS --data "$work/solo" >/dev/null
psql -q "$url" -c "CREATE DATABASE moved" || echo "FAIL: CREATE DATABASE moved"
expect 0 "copied .* 1 devices, 0 device certificates, .* 1 trusted certificates" -- \
  "$opencapf" store migrate --data "$work/solo" --to "$base/moved"
expect 0 "\"cluster\": \"c-[0-9a-f]+\"" -- "$opencapf" cluster status --data "$work/solo" --json
expect 0 "SEP00000000D001" -- "$opencapf" device list --data "$work/solo"
expect 0 "^url = \"postgresql://" -- grep '^url' "$work/solo/opencapf.toml"
expect 1 "keeps its state in postgresql .* already" -- \
  "$opencapf" store migrate --data "$work/solo" --to "$base/moved"
"$opencapf" init --data "$work/solo2" >/dev/null
expect 1 "holds cluster c-[0-9a-f]+ already" -- \
  "$opencapf" store migrate --data "$work/solo2" --to "$base/moved"

say "cert regenerate capf on B: A presents the new certificate and serves the new ITL in 5 s"
old=$(presented "$a_capf")
expect 0 "published \(generation [0-9]+\)" -- \
  "$opencapf" cert regenerate capf --yes --data "$work/b"
new=$(fingerprint "$work/b/certs/capf.pem")
check "the certificate changed" test "$new" != "$old"
moved=0
since=$(date +%s%N)
for _ in $(seq 50); do
  if [ "$(presented "$a_capf")" = "$new" ]; then moved=1; break; fi
  sleep 0.1
done
echo "    A presented it $(( ($(date +%s%N) - since) / 1000000 )) ms after the command returned"
check "A presents B's new CAPF certificate within 5 s" test $moved -eq 1
same=0
for _ in $(seq 30); do
  itl "$a_tftp" "$work/itl-a2"; itl "$b_tftp" "$work/itl-b2"
  if cmp -s "$work/itl-a2" "$work/itl-b2" && ! cmp -s "$work/itl-a" "$work/itl-a2"; then
    same=1
    break
  fi
  sleep 0.2
done
check "A and B serve the same new ITL" test $same -eq 1

say "added on A, enrolled through B, Installed on A"
"$opencapf" device add SEP00000000C001 --operation install --auth null-string --data "$work/a" >/dev/null
expect 0 "enrolled SEP00000000C001" -- \
  "$enroll" 127.0.0.1 "$b_capf" SEP00000000C001 "$work/c1.pem" "$work/c1.key"
expect 0 "LSC Status: *Installed" -- "$opencapf" device show SEP00000000C001 --data "$work/a"
expect 0 "LSC Status: *Installed" -- "$opencapf" device show SEP00000000C001 --data "$work/b"
token=$("$opencapf" admin token create cluster-test --data "$work/b" | tail -n 1)
curl -s --cacert "$work/a/certs/admin.pem" -H "Authorization: Bearer $token" \
  "https://127.0.0.1:$a_admin/api/v1/devices/SEP00000000C001" >"$work/c1.json"
check "A's API (with a token made on B) says Installed" grep -q '"lsc_status": *"installed"' "$work/c1.json"

say "one scheduled device, two nodes at once: exactly one LSC per round"
"$opencapf" device add SEP00000000C002 --operation install --auth null-string --data "$work/a" >/dev/null
one_lsc=0
for round in $(seq 20); do
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
check "every round issued exactly one LSC ($one_lsc of 20)" test "$one_lsc" -eq 20

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
itl "$a_tftp" "$work/itl-a-down"
itl "$b_tftp" "$work/itl-b-down"
check "A's TFTP still serves the ITL" cmp -s "$work/itl-a-down" "$work/itl-a2"
check "and so does B's" cmp -s "$work/itl-b-down" "$work/itl-a2"
since=$(date +%s%N)
expect nonzero "." -- timeout 30 "$enroll" 127.0.0.1 "$b_capf" SEP00000000C003 "$work/c3.pem" "$work/c3.key"
echo "    CAPF ended the session in $(( ($(date +%s%N) - since) / 1000000 )) ms"
for pid in "${pids[@]}"; do check "node $pid still runs" kill -0 "$pid"; done

say "the database back: enrollments succeed again, no node restarted"
"$pg_server" start "$work/pg" >/dev/null
expect 0 "enrolled SEP00000000C003" -- \
  "$enroll" 127.0.0.1 "$b_capf" SEP00000000C003 "$work/c3.pem" "$work/c3.key"
expect 0 "LSC Status: *Installed" -- "$opencapf" device show SEP00000000C003 --data "$work/a"
for pid in "${pids[@]}"; do check "node $pid still runs" kill -0 "$pid"; done

say "kill -9 of A during a 200-phone load over A and B"
schedule a SEP00BB0A 100
schedule a SEP00BB0B 100
load "$a_capf" SEP00BB0A 100 "$work/load-a.json" &
load_a=$!
load "$b_capf" SEP00BB0B 100 "$work/load-b.json" &
load_b=$!
sleep 0.7
kill -9 "${pids[0]}"
wait $load_a
wait $load_b
check "the loads reported" test -s "$work/load-a.json" -a -s "$work/load-b.json"
verdict=$(lost "$work/load-a.json" "$work/load-b.json")
echo "    $verdict"
check "every phone told Installed is Installed ($verdict)" grep -q "lost 0 " <<<"$verdict "
check "B's load all succeeded" grep -q '"ok":100' "$work/load-b.json"

say "the simulator with A and B as its TFTP servers: A is gone, it enrolls through B"
"$opencapf" device add SEP00000000E001 --operation install --auth null-string --key-order ec \
  --data "$work/b" >/dev/null
expect 0 "does not answer .* trying the next TFTP server, 127.0.0.1:$b_tftp" -- \
  "$opencapf" phone enroll SEP00000000E001 --tftp "127.0.0.1:$a_tftp" --tftp "127.0.0.1:$b_tftp" \
  --capf "127.0.0.1:$b_capf" --timeout 3
expect 0 "LSC Status: *Installed" -- "$opencapf" device show SEP00000000E001 --data "$work/b"

finish
