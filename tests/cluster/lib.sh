# What the cluster tests share: opencapf nodes on a real PostgreSQL (tests/pg-server), started on
# free ports on 127.0.0.1 and stopped at the end with the database servers in pg_dirs.
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"
pg_server="$(dirname "${BASH_SOURCE[0]}")/../pg-server"
chmod 755 "$work"  # as root the database server runs as nobody, who must reach its directory

pids=()
pg_dirs=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  for dir in "${pg_dirs[@]}"; do "$pg_server" stop "$dir" >/dev/null 2>&1; done
  [ -n "${KEEP_WORK:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
say() { echo "== $*"; }

# start NAME: `serve` for node NAME (data directory $work/NAME) on free ports; sets NAME_capf,
# NAME_tftp, NAME_tvs and NAME_admin, and appends its pid to pids.
start() {
  local name=$1
  "$opencapf" serve --data "$work/$name" --listen 127.0.0.1 --capf-port 0 --tftp-port 0 \
    --tvs-port 0 --http-port 0 --admin-port 0 --threads 2 >"$work/$name.log" 2>&1 &
  pids+=($!)
  local capf= tvs= tftp= admin=
  for _ in $(seq 100); do
    capf=$(sed -n 's/.*capf: listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/$name.log")
    tftp=$(sed -n 's/.*tftp: listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/$name.log")
    tvs=$(sed -n 's/.*tvs: listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/$name.log")
    admin=$(sed -n 's/.*admin: listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/$name.log")
    [ -n "$capf" ] && [ -n "$tvs" ] && [ -n "$admin" ] && break
    sleep 0.1
  done
  check "node $name started" test -n "$capf" -a -n "$tvs"
  [ -n "$capf" ] || { cat "$work/$name.log"; finish; exit 1; }
  printf -v "${name}_capf" %s "$capf"
  printf -v "${name}_tftp" %s "$tftp"
  printf -v "${name}_tvs" %s "$tvs"
  printf -v "${name}_admin" %s "$admin"
}

# presented PORT: the SHA-256 of the certificate the CAPF on PORT presents.
presented() {
  openssl s_client -connect "127.0.0.1:$1" </dev/null 2>/dev/null |
    openssl x509 -noout -fingerprint -sha256 2>/dev/null
}
fingerprint() { openssl x509 -in "$1" -noout -fingerprint -sha256; }
itl() { curl -s --max-time 5 -o "$2" "tftp://127.0.0.1:$1/ITLFile.tlv"; }

# schedule DIR PREFIX COUNT: imports COUNT installs with the names phone load gives --prefix
# PREFIX (SEP + hex digits, numbers filling the MAC's 12), EC keys.
schedule() {
  local digits=$((12 - (${#2} - 3)))
  { echo "name,operation,auth,key_order"
    for i in $(seq "$3"); do printf "%s%0${digits}X,install,null-string,ec\n" "$2" "$i"; done
  } >"$work/$2.csv"
  expect 0 "imported $3" -- "$opencapf" device import "$work/$2.csv" --data "$work/$1"
}

# load PORT PREFIX COUNT OUT: phone load of COUNT phones against the CAPF on PORT, JSON in OUT.
load() {
  "$opencapf" phone load --capf "127.0.0.1:$1" --capf-cert "$work/a/certs/capf.pem" \
    --count "$3" --prefix "$2" --concurrency 8 --key ec:256 --timeout 5 --json >"$4" 2>"$4.err"
}

# lost OUT... : "told N, installed M, lost K ..." — the phones the load runs in OUT... were told
# succeeded that the store (read through node b) does not hold as Installed.
lost() {
  "$opencapf" device list --lsc-status installed --json --data "$work/b" >"$work/installed.json"
  python3 - "$work/installed.json" "$@" <<'PY'
import json, sys
installed = {d["name"] for d in json.load(open(sys.argv[1]))}
told = [n for f in sys.argv[2:] for n in json.load(open(f))["succeeded"]]
lost = [n for n in told if n not in installed]
print("told %d, installed %d, lost %d %s" % (len(told), len(installed), len(lost), " ".join(lost[:5])))
PY
}
