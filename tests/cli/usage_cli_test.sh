#!/usr/bin/env bash
# Usage errors exit 2 in every command family, with CLI11's words and the --help to read:
# an unknown flag, a missing required argument or option, a value that cannot be used.
# usage_cli_test.sh OPENCAPF FAMILY
set -uo pipefail
bin=$1
family=$2
source "$(dirname "$0")/lib.sh"

# usage HELP PATTERN -- ARGS...: `opencapf ARGS` exits 2, says PATTERN and points at
# 'opencapf HELP --help'.
usage() {
  local help=$1 pattern=$2
  shift 3
  expect 2 "$pattern" -- "$bin" "$@"
  expect 2 "Run 'opencapf${help:+ $help} --help' for its usage" -- "$bin" "$@"
}

case "$family" in
  root)
    usage "" "A subcommand is required" -- 
    usage "" "'frobnicate' is not an option or command of 'opencapf'" -- frobnicate
    usage "" "'--bogus' is not an option or command of 'opencapf'" -- --bogus
    usage "help" "'nothing' is not an opencapf command" -- help nothing
    expect 0 "^opencapf [0-9]" -- "$bin" --version
    expect 0 "Usage: opencapf" -- "$bin" --help
    ;;
  itl)
    usage "itl show" "FILE is required" -- itl show
    usage "itl show" "not expected: --bogus" -- itl show x.tlv --bogus
    usage "itl build" "--digest: md5 not in \{sha1,sha512\}" -- itl build out.tlv --signer s.pem --digest md5
    usage "itl build" "Could not convert: --timestamp = soon" -- itl build out.tlv --signer s.pem --timestamp soon
    usage "ctl show" "FILE is required" -- ctl show
    usage "ctl" "A subcommand is required|not an option or command" -- ctl frobnicate
    ;;
  serve)
    usage "serve" "Could not convert: --capf-port = abc" -- serve --capf-port abc --data "$work/d"
    usage "serve" "not expected: --bogus|'--bogus' is not an option" -- serve --bogus --data "$work/d"
    usage "init" "not expected: extra|'extra' is not an option" -- init --data "$work/d" extra
    ;;
  device)
    usage "device add" "NAME is required" -- device add --data "$work/d"
    usage "device set" "not expected: --nope" -- device set SEP001122334455 --nope --data "$work/d"
    usage "device list" "not expected|is not an option" -- device list --bogus --data "$work/d"
    usage "device revoke" "NAME is required" -- device revoke --data "$work/d"
    ;;
  report)
    usage "report" "--format: xml not in \{table,csv,json\}" -- report --format xml --data "$work/d"
    usage "report" "not expected: --bogus|'--bogus' is not an option" -- report --bogus --data "$work/d"
    ;;
  trust)
    usage "trust add" "--roles is required" -- trust add x.pem --data "$work/d"
    usage "trust add" "CERT is required" -- trust add --roles CCM --data "$work/d"
    usage "trust" "'frobnicate' is not an option or command of 'opencapf trust'|A subcommand" -- trust frobnicate
    ;;
  tvs)
    usage "tvs query" "CERT is required" -- tvs query
    usage "tvs query" "not expected: --bogus|'--bogus' is not an option" -- tvs query x.pem --bogus
    usage "tvs load" "--tvs is required" -- tvs load --tvs-cert x.pem --cert y.pem
    ;;
  phone)
    usage "phone enroll" "--tftp is required" -- phone enroll SEP001122334455
    usage "phone enroll" "Could not convert: --timeout = forever" -- phone enroll SEP001122334455 --tftp 127.0.0.1 --timeout forever
    usage "phone load" "--capf is required" -- phone load --capf-cert c.pem
    usage "phone boot" "--tftp is required" -- phone boot SEP001122334455
    usage "phone boot" "Could not convert: --http-port = web" -- phone boot SEP001122334455 --tftp 127.0.0.1 --http-port web
    expect 2 "--http-port 0 is not a TCP port" -- "$bin" phone boot SEP001122334455 --tftp 127.0.0.1 --http-port 0
    expect 2 "--http-port 70000 is not a TCP port" -- "$bin" phone enroll SEP001122334455 --tftp 127.0.0.1 --http-port 70000
    ;;
  sgn)
    usage "sgn" "A subcommand is required" -- sgn
    usage "sgn build" "FILE is required" -- sgn build
    usage "sgn build" "--digest: md5 not in \{sha1,sha512\}" -- sgn build x.xml --digest md5
    usage "sgn show" "not expected: --bogus|'--bogus' is not an option" -- sgn show x.sgn --bogus
    usage "sgn verify" "--cert excludes --itl|excludes" -- sgn verify x.sgn --cert a.pem --itl b.tlv
    usage "sgn strip" "--key: File does not exist" -- sgn strip x.sgn --key "$work/none.key"
    ;;
  doctor)
    usage "doctor" "Could not convert: --expiry-days = many" -- doctor --expiry-days many --data "$work/d"
    usage "doctor" "not expected: --bogus|'--bogus' is not an option" -- doctor --bogus --data "$work/d"
    ;;
  cert)
    usage "cert regenerate" "NAME is required" -- cert regenerate --data "$work/d"
    usage "cert regenerate" "Could not convert: --days = ten" -- cert regenerate capf --days ten --data "$work/d"
    usage "cert" "'frobnicate' is not an option or command of 'opencapf cert'|A subcommand" -- cert frobnicate
    ;;
  admin)
    usage "admin token create" "NAME is required" -- admin token create --data "$work/d"
    usage "admin token" "'frobnicate' is not an option or command of 'opencapf admin token'|A subcommand" -- admin token frobnicate --data "$work/d"
    ;;
  store)
    usage "store" "A subcommand is required|subcommand" -- store
    usage "store migrate" "--to is required" -- store migrate --data "$work/d"
    usage "store migrate" "is not a PostgreSQL URL" -- store migrate --data "$work/d" --to /tmp/x.db
    ;;
  cluster)
    usage "cluster" "A subcommand is required|subcommand" -- cluster
    usage "cluster forget" "NODE is required" -- cluster forget --data "$work/d"
    usage "cluster status" "'--frob' is not an option|--frob" -- cluster status --frob
    usage "init" "--cluster-key: File does not exist|does not exist" -- init --data "$work/x" --store postgresql://h/db --cluster-key "$work/missing.key"
    usage "init" "is not a PostgreSQL URL" -- init --data "$work/x" --store mysql://h/db
    usage "init" "--cluster-key requires --store" -- init --data "$work/x" --cluster-key "$0"
    ;;
  *)
    echo "usage_cli_test.sh: unknown family '$family'" >&2
    exit 2
    ;;
esac
# Nothing above may have created the data directory: a usage error changes nothing.
check "no data directory was made by a usage error" test ! -e "$work/d"
finish
