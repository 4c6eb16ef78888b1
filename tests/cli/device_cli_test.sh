#!/usr/bin/env bash
# `opencapf device ...` as an administrator types it: the CAPF Information of each phone.
set -u
opencapf=$1
. "$(dirname "$0")/lib.sh"
data=$work/data
db=$data/opencapf.db
dev() { "$opencapf" device "$@" --data "$data"; }

# jcheck DESCRIPTION PYTHON-EXPRESSION COMMAND...: COMMAND prints JSON `d` for which the
# expression holds. t("2026-...Z") gives Unix seconds; now is the time of the check.
jcheck() {
  local what=$1 expr=$2
  shift 2
  local out
  out=$("$@" 2>&1)
  if python3 -c "
import calendar, json, sys, time
t = lambda s: calendar.timegm(time.strptime(s, '%Y-%m-%dT%H:%M:%SZ'))
now = time.time()
d = json.loads(sys.stdin.read())
sys.exit(0 if ($expr) else 1)" <<<"$out"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $what: $* does not give JSON with: $expr"
    echo "$out" | head -30 | sed 's/^/    /'
  fi
}

# What the CAPF server writes after sessions, written straight into the store's SQLite file
# (schema version 1) so that listing and showing can be tested without a phone. Replace with
# the phone simulator once it lands.
cat >"$work/server.py" <<'EOF'
import calendar, sqlite3, subprocess, sys, time
db, name, what = sys.argv[1:4]
args = sys.argv[4:]
con = sqlite3.connect(db)
con.execute("PRAGMA busy_timeout = 5000")
if what == "cert":  # SLOT PEM-FILE
    slot, path = args
    def x(*opts):
        out = subprocess.run(["openssl", "x509", "-in", path, "-noout", "-nameopt", "RFC2253", *opts],
                             capture_output=True, text=True, check=True).stdout.strip()
        return out.split("=", 1)[1].strip()
    dn = lambda s: ",".join(reversed(s.split(",")))  # CN first, as opencapf writes names
    when = lambda s: calendar.timegm(time.strptime(s, "%b %d %H:%M:%S %Y %Z"))
    con.execute("INSERT OR REPLACE INTO certificates VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (name, slot, open(path).read(), x("-serial"), dn(x("-subject")), dn(x("-issuer")),
                 when(x("-startdate")), when(x("-enddate"))))
elif what == "state":  # LSC-STATUS OPERATION-STATUS OPERATION COMPLETE-BY-OFFSET|none
    lsc, status, operation, by = args
    by = None if by == "none" else int(time.time()) + int(by)
    con.execute("UPDATE devices SET lsc_status = ?, operation_status = ?, operation = ?, "
                "complete_by = ?, version = version + 1 WHERE name = ?",
                (lsc, status, operation, by, name))
elif what == "event":  # SECONDS-AGO PEER OPERATION RESULT REASON
    ago, peer, operation, result, reason = args
    con.execute("INSERT INTO events (device, at, peer, operation, result, reason, duration_ms) "
                "VALUES (?, ?, ?, ?, ?, ?, 1500)",
                (name, int(time.time()) - int(ago), peer, operation, result, reason))
con.commit()
EOF
server() { python3 "$work/server.py" "$db" "$@"; }

# A CAPF-like CA and an LSC it issued, made by openssl.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/ca.key" -out "$work/ca.pem" \
  -subj "/CN=CAPF-0badcafe/O=opencapf" -days 3650 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$work/lsc.key" -out "$work/lsc.csr" \
  -subj "/CN=SEP0000000000B1/O=opencapf" 2>/dev/null
openssl x509 -req -in "$work/lsc.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
  -set_serial 0x1234ABCD -days 400 -out "$work/lsc.pem" 2>/dev/null

# ---- the data directory must exist first, and none is made by accident
expect 1 "is not an opencapf data directory.*opencapf init --data $work/nodata" -- \
  "$opencapf" device list --data "$work/nodata"
expect 1 "opencapf init --data" -- \
  "$opencapf" device add SEP001122334455 --operation install --data "$work/nodata"
expect 1 "opencapf init --data" -- "$opencapf" device import "$work/x.csv" --data "$work/nodata"
check "no stray database made" test ! -e "$work/nodata/opencapf.db"
expect 0 'initialised' -- "$opencapf" init --data "$data"
expect 0 '^no devices yet; add one with' -- dev list

# ---- add
expect 0 'added SEP001122334455' -- dev add SEP001122334455
expect 0 'Certificate Operation Status: +None' -- dev show SEP001122334455
expect 0 'nothing is scheduled for this phone' -- dev add SEP001122334400

# every flag
out=$(dev add SEP0000000000A1 --operation install --auth auth-string --auth-string 12345678 \
  --key-order ec-preferred-rsa-backup --rsa-bits 3072 --ec-curve 384 \
  --complete-by 2030-01-01T10:00:00Z 2>&1)
check "add with every flag" grep -q 'added SEP0000000000A1' <<<"$out"
for line in 'Certificate Operation: +Install/Upgrade' 'Authentication Mode: +By Authentication String' \
  'Key Order: +EC Preferred, RSA Backup' 'RSA Key Size \(Bits\): +3072' 'EC Key Size \(Bits\): +384' \
  'Operation Completes By: +2030-01-01T10:00:00Z' 'Certificate Operation Status: +Operation Pending' \
  'LSC Status: +Not Installed' 'ITLFile.tlv with a CAPF record|ITLFile.tlv must have a CAPF record' \
  'Reset the phone' 'enters the authentication string'; do
  check "add prints: $line" grep -Eq "$line" <<<"$out"
done
check "add does not print the authentication string" bash -c '! grep -q 12345678 <<<"$1"' _ "$out"
jcheck "stored as given" 'd["name"] == "SEP0000000000A1" and d["operation"] == "install" and
  d["auth"] == "auth-string" and d["auth_string"] == "12345678" and
  d["key_order"] == "ec-preferred-rsa-backup" and d["rsa_bits"] == 3072 and d["ec_curve"] == 384 and
  d["complete_by"] == "2030-01-01T10:00:00Z" and d["operation_status"] == "Operation Pending" and
  d["lsc_status"] == "not-installed" and d["lsc"] is None and d["pending_lsc"] is None and
  d["mic"] is None and d["history"] == []' dev show SEP0000000000A1 --json
expect 0 'added SEP0000000000A2' -- dev add SEP0000000000A2 --operation delete --auth existing-lsc \
  --key-order ec --complete-by +3h
jcheck "delete by existing LSC, EC" 'd["operation"] == "delete" and d["auth"] == "existing-lsc" and
  d["key_order"] == "ec" and d["auth_string"] is None' dev show SEP0000000000A2 --json
expect 0 'added SEP0000000000A3' -- dev add SEP0000000000A3 --operation troubleshoot --auth existing-mic \
  --key-order rsa --complete-by +3h
jcheck "troubleshoot by existing MIC" 'd["operation"] == "troubleshoot" and d["auth"] == "existing-mic"' \
  dev show SEP0000000000A3 --json

# the default deadline: one hour, with a note
expect 0 'note: no --complete-by was given, so Operation Completes By is one hour from now' -- \
  dev add SEP0000000000A4 --operation install --auth null-string
jcheck "default deadline is +1h" 'abs(t(d["complete_by"]) - now - 3600) < 60' dev show SEP0000000000A4 --json

# names: canonical form, and what to type instead
expect 0 'added SEPAABBCCDDEEFF' -- dev add sepaabbccddeeff
expect 0 'added CSFJSMITH' -- dev add csfjsmith
expect 1 "not a phone name: use SEP followed by the 12-digit MAC address \(e.g. SEP001122AABBCC\)" -- \
  dev add PHONE1
expect 1 'SEP must be followed by exactly 12 hex digits.*not 4 characters' -- dev add SEP0011
expect 1 "'G' is not a hex digit" -- dev add SEP00112233445G
expect 1 'already exists; change it with .opencapf device set SEP001122334455' -- dev add SEP001122334455

# authentication strings
expect 1 "--auth-string '12ab' must be 4-10 digits" -- \
  dev add SEP0000000000E1 --operation install --auth auth-string --auth-string 12ab
expect 1 "--auth-string '123' must be 4-10 digits" -- \
  dev add SEP0000000000E1 --operation install --auth auth-string --auth-string 123
expect 1 "--auth-string '12345678901' must be 4-10 digits" -- \
  dev add SEP0000000000E1 --operation install --auth auth-string --auth-string 12345678901
expect 1 'auth auth-string needs an --auth-string of 4-10 digits' -- \
  dev add SEP0000000000E1 --operation install --auth auth-string
expect 1 '--auth-string is only used with auth auth-string' -- \
  dev add SEP0000000000E1 --operation install --auth null-string --auth-string 1234

# values that cannot be read: exit 2, with the accepted values
expect 2 "--operation: operation 'frob' is not one of: none, install, delete, troubleshoot" -- \
  dev add SEP0000000000E1 --operation frob
expect 2 "--auth: auth 'password' is not one of: null-string, auth-string, existing-lsc, existing-mic" -- \
  dev add SEP0000000000E1 --auth password
expect 2 "--key-order: key_order 'dsa' is not one of: rsa, ec, ec-preferred-rsa-backup" -- \
  dev add SEP0000000000E1 --key-order dsa
expect 2 "--rsa-bits: 'big' is not a number; use 1024, 2048, 3072 or 4096" -- \
  dev add SEP0000000000E1 --rsa-bits big
expect 1 '--rsa-bits 1000 is not a key size phones generate; use 1024, 2048, 3072 or 4096' -- \
  dev add SEP0000000000E1 --rsa-bits 1000
expect 1 '--ec-curve 200 is not a supported curve; use 256, 384 or 521' -- \
  dev add SEP0000000000E1 --ec-curve 200

# Operation Completes By: ISO 8601, relative, wrong, past, without an operation
expect 0 'added SEP0000000000C1' -- dev add SEP0000000000C1 --operation install --complete-by 2031-06-01T12:00:00+09:00
jcheck "ISO 8601 with an offset" 'd["complete_by"] == "2031-06-01T03:00:00Z"' dev show SEP0000000000C1 --json
expect 0 'Operation Completes By is only 1m away; the procedure asks for at least an hour' -- \
  dev add SEP0000000000C2 --operation install --complete-by +90s
jcheck "+90s" 'abs(t(d["complete_by"]) - now - 90) < 30' dev show SEP0000000000C2 --json
expect 0 'added SEP0000000000C3' -- dev add SEP0000000000C3 --operation install --complete-by +2d
jcheck "+2d" 'abs(t(d["complete_by"]) - now - 2 * 86400) < 60' dev show SEP0000000000C3 --json
expect 0 'added SEP0000000000C4' -- dev add SEP0000000000C4 --operation install --complete-by "2031-06-01 12:00"
expect 2 "--complete-by: time 'tomorrow'.*\+1h" -- dev add SEP0000000000E1 --operation install --complete-by tomorrow
expect 2 "--complete-by: .*2031-02-30" -- dev add SEP0000000000E1 --operation install --complete-by 2031-02-30T10:00:00Z
expect 1 'has already passed .*Upgrade Failed: User Initiated Request Late/Timedout.*at least an hour ahead' -- \
  dev add SEP0000000000E1 --operation install --complete-by 2020-01-01T00:00:00Z
expect 2 '--complete-by only applies to a scheduled operation.*add --operation install' -- \
  dev add SEP0000000000E1 --complete-by +2h
expect 1 'there is no device SEP0000000000E1' -- dev show SEP0000000000E1

# ---- set: only the flags given change
before=$(dev show SEP0000000000A1 --json)
expect 0 'RSA Key Size \(Bits\): 3072 -> 4096' -- dev set SEP0000000000A1 --rsa-bits 4096
after=$(dev show SEP0000000000A1 --json)
check "set changed rsa_bits and nothing else" python3 -c '
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
changed = sorted(k for k in a if a[k] != b[k])
sys.exit(0 if changed == ["rsa_bits", "updated"] or changed == ["rsa_bits"] else 1)' "$before" "$after"
check "set keeps the auth string" grep -q '"auth_string": "12345678"' <<<"$after"
expect 0 'unchanged: SEP0000000000A1 already has these values' -- dev set SEP0000000000A1 --rsa-bits 4096
expect 0 'Authentication String: changed' -- dev set SEP0000000000A1 --auth-string 87654321
expect 1 "--auth-string 'x1' must be 4-10 digits" -- dev set SEP0000000000A1 --auth-string x1
expect 2 'nothing to change for SEP0000000000A1; give one or more of --operation' -- dev set SEP0000000000A1
expect 1 'there is no device SEP0000000000E9 .*opencapf device add SEP0000000000E9' -- \
  dev set SEP0000000000E9 --operation install

# cancelling clears the deadline; scheduling again applies the one-hour default
expect 0 'Certificate Operation Status: Operation Pending -> None' -- dev set SEP0000000000A4 --operation none
jcheck "none clears complete_by" 'd["operation"] == "none" and d["complete_by"] is None and
  d["operation_status"] == "None"' dev show SEP0000000000A4 --json
expect 0 'no --complete-by was given, so Operation Completes By is one hour from now' -- \
  dev set SEP0000000000A4 --operation install
jcheck "rescheduled: pending, +1h" 'd["operation_status"] == "Operation Pending" and
  abs(t(d["complete_by"]) - now - 3600) < 60' dev show SEP0000000000A4 --json
expect 2 '--complete-by only applies to a scheduled operation' -- dev set SEP001122334455 --complete-by +2h

# changing the mode away from auth-string drops the string
expect 0 'note: the authentication string was dropped' -- dev set SEP0000000000A1 --auth null-string
jcheck "string dropped" 'd["auth"] == "null-string" and d["auth_string"] is None' dev show SEP0000000000A1 --json
expect 1 'auth auth-string needs an --auth-string' -- dev set SEP0000000000A1 --auth auth-string
expect 0 'Authentication Mode: By Null String -> By Authentication String' -- \
  dev set SEP0000000000A1 --auth auth-string --auth-string 24681357

# the procedure's "LSC: Failed" case: the deadline passed; setting a new one makes it pending again
expect 0 'added SEP0000000000D1' -- dev add SEP0000000000D1 --operation install
server SEP0000000000D1 state not-installed "Upgrade Failed: User Initiated Request Late/Timedout" install -600
expect 0 'Operation Completes By: .*\(passed 10m ago\)' -- dev show SEP0000000000D1
expect 0 'Certificate Operation Status: Upgrade Failed: User Initiated Request Late/Timedout -> Operation Pending' -- \
  dev set SEP0000000000D1 --complete-by +2h
server SEP0000000000D1 state not-installed "Upgrade Failed: User Initiated Request Late/Timedout" install -600
expect 0 'the previous Operation Completes By \(.*\) has passed, so Operation Completes By is one hour from now' -- \
  dev set SEP0000000000D1 --operation install
server SEP0000000000D1 state not-installed "Upgrade Failed: User Initiated Request Late/Timedout" install -600

# ---- devices in the states the server leaves them in
expect 0 'added SEP0000000000B1' -- dev add SEP0000000000B1 --operation install --auth auth-string --auth-string 13579
server SEP0000000000B1 cert lsc "$work/lsc.pem"
server SEP0000000000B1 state installed "Upgrade Success" none none
server SEP0000000000B1 event 120 192.0.2.10:51234 install issued "LSC serial 1234ABCD issued, waiting for the phone"
server SEP0000000000B1 event 60 192.0.2.10:51234 install success "LSC 1234ABCD installed (RSA 2048, null string)"
expect 0 'added SEP0000000000B2' -- dev add SEP0000000000B2 --operation install
server SEP0000000000B2 cert pending-lsc "$work/lsc.pem"
server SEP0000000000B2 state pending "Operation Pending" install 3600

out=$(dev show SEP0000000000B1 2>&1)
for line in '^Device SEP0000000000B1$' 'Certificate Operation Status: +Upgrade Success' \
  'LSC Status: +Installed' 'Serial Number: +1234ABCD' 'Subject: +CN=SEP0000000000B1,O=opencapf' \
  'Issuer: +CN=CAPF-0badcafe,O=opencapf' 'Valid To: .*\((399|400) days left\)' 'MIC: not seen' \
  'History \(newest first\)' 'Authentication String: +13579' \
  '192.0.2.10:51234 +install +success +1500 ms +LSC 1234ABCD installed'; do
  check "show prints: $line" grep -Eq "$line" <<<"$out"
done
check "history newest first" test "$(grep -n 'success  ' <<<"$out" | cut -d: -f1)" -lt \
  "$(grep -n 'issued  ' <<<"$out" | cut -d: -f1)"
jcheck "show --json: LSC, history" 'd["lsc_status"] == "installed" and
  d["operation_status"] == "Upgrade Success" and d["lsc"]["serial"] == "1234ABCD" and
  d["lsc"]["issuer"] == "CN=CAPF-0badcafe,O=opencapf" and d["lsc"]["days_left"] in (399, 400) and
  d["lsc"]["pem"].startswith("-----BEGIN CERTIFICATE-----") and
  [e["result"] for e in d["history"]] == ["success", "issued"] and
  d["history"][0]["peer"] == "192.0.2.10:51234" and d["history"][0]["duration_ms"] == 1500 and
  t(d["history"][0]["at"]) > t(d["history"][1]["at"])' dev show sep0000000000b1 --json
out=$(dev show SEP0000000000B2 2>&1)
check "show: pending LSC" grep -q 'Pending LSC (issued; the phone has not confirmed storing it)' <<<"$out"
check "show: pending status" grep -Eq 'LSC Status: +Pending' <<<"$out"
jcheck "show --json: pending_lsc" 'd["lsc"] is None and d["pending_lsc"]["serial"] == "1234ABCD"' \
  dev show SEP0000000000B2 --json

# ---- list and its three filters
out=$(dev list 2>&1)
check "list: header" grep -Eq '^NAME +OPERATION +AUTH +COMPLETE BY +LSC STATUS +LSC NOT AFTER +OPERATION STATUS$' <<<"$out"
check "list: a row" grep -Eq '^SEP0000000000B1 +none +auth-string +- +Installed +[0-9-]{10} \((399|400)d\) +Upgrade Success$' <<<"$out"
check "list: summary" grep -Eq '^[0-9]+ devices: 1 Installed, 1 Pending, [0-9]+ Not Installed$' <<<"$out"
check "list: no auth strings in the table" bash -c '! grep -Eq "13579|24681357" <<<"$1"' _ "$out"
names() { "$@" --json | python3 -c 'import json,sys; print(" ".join(x["name"] for x in json.load(sys.stdin)))'; }
check "list --lsc-status installed" test "$(names dev list --lsc-status installed)" = "SEP0000000000B1"
check "list --lsc-status pending" test "$(names dev list --lsc-status pending)" = "SEP0000000000B2"
check "list --lsc-status not-installed" bash -c '[[ " $1 " == *" SEP001122334455 "* && " $1 " != *B1* && " $1 " != *B2* ]]' _ "$(names dev list --lsc-status not-installed)"
expect 0 '^SEP0000000000B1 .*Installed' -- dev list --lsc-status "Installed"
expect 2 "--lsc-status: lsc_status 'gone' is not one of: installed, not-installed, pending" -- dev list --lsc-status gone
check "list --operation-status (prefix, any case)" test "$(names dev list --operation-status 'upgrade failed')" = "SEP0000000000D1"
check "list --operation-status (whole)" test "$(names dev list --operation-status 'Upgrade Success')" = "SEP0000000000B1"
pending=$(names dev list --operation-status 'Operation Pending')
check "list --operation-status Operation Pending" bash -c '[[ "$1" == *SEP0000000000A1* && "$1" == *SEP0000000000B2* && "$1" != *B1* ]]' _ "$pending"
expect 0 "not an operation status opencapf writes" -- dev list --operation-status 'Upgraded'
expect 0 '^no devices with operation status' -- dev list --operation-status 'Upgraded'
check "list --auth-string" test "$(names dev list --auth-string 24681357)" = "SEP0000000000A1"
check "list --auth-string, no match" test "$(names dev list --auth-string 99999999)" = ""
jcheck "list --json fields" 'len(d) == 1 and d[0]["name"] == "SEP0000000000B1" and
  d[0]["lsc"]["serial"] == "1234ABCD" and "pem" not in d[0]["lsc"] and "history" not in d[0]' \
  dev list --json --lsc-status installed --operation-status "upgrade success"

# ---- remove
expect 0 'removed SEP0000000000C4' -- dev remove SEP0000000000C4
expect 1 'there is no device SEP0000000000C4' -- dev show SEP0000000000C4
expect 1 'there is no device SEP0000000000C4 in .*opencapf device list' -- dev remove SEP0000000000C4
expect 1 'not a phone name' -- dev remove NOTAPHONE
expect 0 'note: the phone keeps its LSC \(serial 1234ABCD\).*--operation delete' -- dev remove SEP0000000000B1

# ---- import
cat >"$work/good.csv" <<'EOF'
name,operation,auth,auth_string,key_order,rsa_bits,ec_curve,complete_by
SEP0000000001A1,install,null-string,,rsa,2048,,
sep0000000001a2,install,auth-string,246810,ec,,384,+2d
CSFADOE,,,,,,,
EOF
out=$(dev import "$work/good.csv" 2>&1)
check "import succeeds" test $? -eq 0
check "import: count" grep -Eq 'imported 3 devices from .*good.csv \(2 with an operation scheduled\)' <<<"$out"
check "import: default deadline noted" grep -q 'note: 1 scheduled device has no complete_by' <<<"$out"
jcheck "imported with defaults" 'd["operation"] == "install" and d["operation_status"] == "Operation Pending" and
  abs(t(d["complete_by"]) - now - 3600) < 60' dev show SEP0000000001A1 --json
jcheck "imported as given" 'd["auth"] == "auth-string" and d["auth_string"] == "246810" and
  d["key_order"] == "ec" and d["ec_curve"] == 384' dev show SEP0000000001A2 --json
expect 0 'No Pending Operation' -- dev show CSFADOE

printf 'name,operation,auth,auth_string\nSEP0000000002A1,install,null-string,\nSEP0000000002A2,install,auth-string,12ab\nSEP0000000002A3,,,\n' >"$work/bad.csv"
expect 1 'bad.csv: line 3: auth_string .12ab. must be 4-10 digits' -- dev import "$work/bad.csv"
expect 1 'nothing imported; 1 problem' -- dev import "$work/bad.csv"
expect 1 'there is no device SEP0000000002A1' -- dev show SEP0000000002A1
expect 1 'there is no device SEP0000000002A3' -- dev show SEP0000000002A3
printf 'name,colour\nSEP0000000003A1,red\n' >"$work/colour.csv"
expect 1 "line 1: unknown column 'colour'; columns are: name, operation, auth" -- dev import "$work/colour.csv"
expect 1 'nothing imported: 3 of the devices already exist' -- dev import "$work/good.csv"
expect 1 'missing.csv' -- dev import "$work/missing.csv"

# ---- cnf: what the phone's configuration must say (the procedure's Apply Config)
dev add SEP00000000C0F1 --operation install --auth auth-string --auth-string 2468 >/dev/null
expect 0 '<capfAuthMode>1</capfAuthMode>' -- dev cnf SEP00000000C0F1
expect 0 '<phonePort>3804</phonePort>' -- dev cnf SEP00000000C0F1
cnf="$data/tftp/SEP00000000C0F1.cnf.xml"
printf '<?xml version="1.0"?>\n<device ctiid="7">\n  <fullConfig>true</fullConfig>\n  <capfAuthMode>0</capfAuthMode>\n  <loadInformation>sip88xx.14-2-1</loadInformation>\n</device>\n' >"$cnf"
expect 0 'everything else in the file kept' -- dev cnf SEP00000000C0F1 --apply
check "cnf --apply keeps the other elements" grep -q '<loadInformation>sip88xx.14-2-1</loadInformation>' "$cnf"
check "cnf --apply keeps attributes" grep -q 'ctiid="7"' "$cnf"
check "cnf --apply sets capfAuthMode" grep -q '<capfAuthMode>1</capfAuthMode>' "$cnf"
check "cnf --apply replaces, not duplicates" test "$(grep -c capfAuthMode "$cnf")" = 1
expect 1 'there is no device SEP00000000C0F2' -- dev cnf SEP00000000C0F2

# ---- Encrypted Configuration: on, off, and why a phone's configuration cannot be encrypted
expect 0 'Encrypted Configuration: +off' -- dev show SEP001122334455
jcheck "off unless asked for" 'd["encrypted_config"] is False' dev show SEP001122334455 --json
out=$(dev add SEP0000000000F1 --encrypted-config On 2>&1)
check "add --encrypted-config on" grep -Eq 'Encrypted Configuration: +on' <<<"$out"
check "add warns without a certificate" grep -q 'warning: Encrypted Configuration is on, but no LSC or MIC yet: its configuration is not served until CAPF has seen a certificate from the phone' <<<"$out"
jcheck "stored on" 'd["encrypted_config"] is True' dev show SEP0000000000F1 --json
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/ec.key" \
  -out "$work/ec.pem" -subj "/CN=SEP0000000000F1/O=opencapf" -days 400 2>/dev/null
server SEP0000000000F1 cert lsc "$work/ec.pem"
out=$(dev show SEP0000000000F1 2>&1)
check "show: EC LSC warning" grep -q 'warning: Encrypted Configuration is on, but its LSC is EC: an encrypted configuration needs an RSA key; schedule Install/Upgrade with key order RSA Only' <<<"$out"
check "show: what to type" grep -q "opencapf device set SEP0000000000F1 --operation install --key-order rsa --data $data" <<<"$out"
server SEP0000000000F1 cert lsc "$work/lsc.pem"
out=$(dev show SEP0000000000F1 2>&1)
check "show: an RSA LSC is fine" bash -c '! grep -q "warning: Encrypted" <<<"$1"' _ "$out"
expect 0 'Encrypted Configuration: on -> off' -- dev set SEP0000000000F1 --encrypted-config off
expect 0 'unchanged: SEP0000000000F1 already has these values' -- dev set SEP0000000000F1 --encrypted-config no
expect 0 'note: --encrypted-config needs an RSA key, and Key Order EC Only' -- \
  dev set SEP0000000000F1 --encrypted-config yes --key-order ec
expect 2 "--encrypted-config: encrypted_config 'maybe' is not one of: on, off \(true, false, yes, no, 1 and 0 work too\)" -- \
  dev set SEP0000000000F1 --encrypted-config maybe
expect 2 "--encrypted-config: encrypted_config 'maybe' is not one of: on, off" -- \
  dev add SEP0000000000F2 --encrypted-config maybe
printf 'name,encrypted_config\nSEP0000000005A1,yes\nSEP0000000005A2,0\n' >"$work/encrypted.csv"
expect 0 'imported 2 devices' -- dev import "$work/encrypted.csv"
jcheck "imported on" 'd["encrypted_config"] is True' dev show SEP0000000005A1 --json
jcheck "imported off" 'd["encrypted_config"] is False' dev show SEP0000000005A2 --json
printf 'name,encrypted_config\nSEP0000000005A3,perhaps\n' >"$work/encrypted-bad.csv"
expect 1 "line 2: encrypted_config 'perhaps' is not one of: on, off" -- dev import "$work/encrypted-bad.csv"
expect 0 '--encrypted-config on\|off' -- "$opencapf" help device set

# ---- command-line mistakes (CLI11's own messages and exit codes)
expect nonzero 'not expected: --frobnicate' -- dev add SEP0000000004A1 --frobnicate
expect nonzero 'NAME is required' -- "$opencapf" device show
expect nonzero 'A subcommand is required' -- "$opencapf" device
expect 0 '--complete-by TIME' -- "$opencapf" help device add
expect 0 '--lsc-status STATUS' -- "$opencapf" help device list
expect 0 'import' -- "$opencapf" help device

finish
