#!/usr/bin/env bash
# The Debian package for real (make deb): its contents and lintian; installed with apt-get on this
# machine; the unit verified and its exposure scored by systemd-analyze; the unit's own command
# line run the way systemd runs it (as opencapf, with only CAP_NET_BIND_SERVICE, through setpriv,
# Type=notify's READY on a socket of our own) serving CAPF on 3804 and TFTP on 69 to a simulated
# phone that enrolls; opencapf status; remove keeps the data, purge removes it.
# Needs root (it installs a package); skipped (77) elsewhere, and on a machine where opencapf is
# installed already or /var/lib/opencapf exists, whose data it must not touch.
# Usage: package_test.sh DEB
source "$(dirname "$0")/../cli/lib.sh"
deb=$(realpath "${1:?usage: package_test.sh DEB}")

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: installing a package needs root"
  exit 77
fi
if dpkg-query -W -f='${Status}' opencapf 2>/dev/null | grep -q installed || [ -e /var/lib/opencapf ] ||
  [ -e /etc/opencapf ]; then
  echo "SKIP: opencapf is installed here already (or /var/lib/opencapf or /etc/opencapf exists); not touching it"
  exit 77
fi
for port in 3804 2445 6970 8443; do
  if ss -Hltn "sport = :$port" | grep -q .; then echo "SKIP: TCP $port is taken"; exit 77; fi
done
if ss -Hlun 'sport = :69' | grep -q .; then echo "SKIP: UDP 69 is taken (tftpd-hpa?)"; exit 77; fi

serve_pid=
policy_made=
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  if dpkg-query -W -f='${Status}' opencapf 2>/dev/null | grep -q installed; then
    apt-get purge -y -q opencapf >/dev/null 2>&1
  fi
  [ -n "$policy_made" ] && rm -f /usr/sbin/policy-rc.d
  rm -rf "$work"
}
trap cleanup EXIT

# ---- The package's contents.
dpkg -c "$deb" >"$work/contents"
for path in ./usr/bin/opencapf ./etc/opencapf/opencapf.toml 'lib/systemd/system/opencapf.service' \
  ./usr/share/man/man1/opencapf.1.gz ./usr/share/man/man1/opencapf-device.1.gz \
  ./usr/share/bash-completion/completions/opencapf ./usr/share/doc/opencapf/copyright; do
  check "the package holds $path" grep -q -- "$path\$" "$work/contents"
done
expect 0 "" -- lintian --fail-on error "$deb"

# ---- Installed as an administrator would, with no daemon started by the package scripts (a
# machine running systemd would otherwise start it on the ports this test uses next).
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  policy_made=1
fi
expect 0 "Setting up opencapf" -- apt-get install -y -q "$deb"
check "the system user opencapf exists" getent passwd opencapf
check "/var/lib/opencapf belongs to opencapf, 0700" \
  test "$(stat -c '%U %a' /var/lib/opencapf)" = "opencapf 700"
expect 0 "/etc/opencapf/opencapf.toml" -- dpkg-query -W -f='${Conffiles}' opencapf
unit=$(dpkg -L opencapf | grep '/systemd/system/opencapf.service$')
expect 0 "" -- systemd-analyze verify "$unit"
expect 0 "Overall exposure level for opencapf.service: ([01]\.[0-9]|2\.0) " -- \
  systemd-analyze security --offline=yes --threshold=20 "$unit"
for page in /usr/share/man/man1/opencapf*.1.gz; do
  expect 0 "^OPENCAPF" -- env MANWIDTH=80 man -l "$page"
done
# The installed binary's defaults, as its manual gives them.
expect 0 "by default /var/lib/opencapf" -- env MANWIDTH=200 man -l /usr/share/man/man1/opencapf.1.gz
expect 0 "complete -F _opencapf opencapf" -- cat /usr/share/bash-completion/completions/opencapf

# ---- The service as its unit runs it: ExecStart, User=opencapf, AmbientCapabilities and the
# bounding set of CAP_NET_BIND_SERVICE alone, NoNewPrivileges, UMask=0077, from /. Only the
# loopback address: the administrator's first edit of the conffile.
sed -i -e 's/^listen_address = .*/listen_address = "127.0.0.1"/' -e 's/^host = ""$/host = "127.0.0.1"/' \
  /etc/opencapf/opencapf.toml
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
check "ExecStart is /usr/bin/opencapf serve" test "$exec_start" = "/usr/bin/opencapf serve"
notify=$work/notify.sock
python3 - "$notify" >"$work/notify.log" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
import os; os.chmod(sys.argv[1], 0o666)
s.settimeout(120)
while True:
    m = s.recv(4096).decode()
    print(m.replace("\n", " "), flush=True)
    if m.startswith("STOPPING=1"):
        break
PY
listener=$!
wait_for "the notify socket" 10 test -S "$notify"
chmod 755 "$work"
touch "$work/serve.log"
serve_log_id=$(stat -c '%d:%i' "$work/serve.log")
(
  cd /
  umask 0077
  exec env -i PATH=/usr/bin:/bin NOTIFY_SOCKET="$notify" JOURNAL_STREAM="$serve_log_id" \
    setpriv --reuid=opencapf --regid=opencapf --init-groups --no-new-privs \
    --inh-caps=-all,+net_bind_service --ambient-caps=-all,+net_bind_service \
    --bounding-set=-all,+net_bind_service $exec_start
) 2>>"$work/serve.log" &
serve_pid=$!
wait_for "READY=1 from serve" 90 grep -q "READY=1" "$work/notify.log" ||
  { cat "$work/serve.log"; exit 1; }
expect 0 "STATUS=serving capf 3804/tcp, tftp 69/udp" -- cat "$work/notify.log"
check "serve runs as opencapf" test "$(ps -o user= -p "$serve_pid")" = opencapf
expect 0 "^CapEff:.*0000000000000400$" -- grep CapEff "/proc/$serve_pid/status"
# journald's form: a priority prefix on each line, no timestamp of our own.
expect 0 "^<6>capf: listening on 127\.0\.0\.1:3804" -- cat "$work/serve.log"
check "no line carries a timestamp of its own" bash -c "! grep -q '^\[20' '$work/serve.log'"
expect 0 "capf +127\.0\.0\.1:3804/tcp" -- opencapf status
expect 0 "tftp +127\.0\.0\.1:69/udp" -- opencapf status

# ---- A phone enrolls (the CLI run as root acts as opencapf, the data directory's owner).
phone=SEP00AABBCC0101
expect 0 "" -- opencapf device add "$phone" --operation install --auth null-string
expect 0 "" -- opencapf device cnf "$phone" --apply
expect 0 "LSC: Installed" -- opencapf phone enroll "$phone" --tftp 127.0.0.1:69 --state "$work/phone" --timeout 10
expect 0 "Certificate Operation Status: +Upgrade Success" -- opencapf device show "$phone"
tftp 127.0.0.1 69 -m binary -c get ITLFile.tlv "$work/ITLFile.tlv"
check "TFTP 69 serves ITLFile.tlv" test -s "$work/ITLFile.tlv"
expect 0 "OK   server: opencapf serve .* checking the ports it listens on: capf 3804, tftp 69" -- opencapf doctor
others=$(find /var/lib/opencapf /etc/opencapf -newer "$deb" ! -user opencapf ! -path /etc/opencapf ! -path /etc/opencapf/opencapf.toml)
check "every file serve and the CLI wrote belongs to opencapf (others: ${others:-none})" test -z "$others"
check "the CAPF key is 0600" test "$(stat -c %a /var/lib/opencapf/certs/capf.key)" = 600

kill "$serve_pid"
wait "$serve_pid"
check "serve stops cleanly on SIGTERM" test $? -eq 0
serve_pid=
wait "$listener"
expect 0 "STOPPING=1" -- cat "$work/notify.log"
expect 3 "not running" -- opencapf status

# ---- remove keeps the data and the configuration; purge removes both.
expect 0 "" -- apt-get remove -y -q opencapf
check "remove keeps /var/lib/opencapf" test -s /var/lib/opencapf/certs/capf.pem
check "remove keeps /etc/opencapf/opencapf.toml" test -s /etc/opencapf/opencapf.toml
expect 0 "" -- apt-get purge -y -q opencapf
check "purge removes /var/lib/opencapf" test ! -e /var/lib/opencapf
check "purge removes /etc/opencapf" test ! -e /etc/opencapf
finish
