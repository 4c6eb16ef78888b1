#!/usr/bin/env bash
# The bash completion `opencapf completion bash` prints, run as bash runs it on <TAB>: sourced in
# a bash of its own, its function called with COMP_WORDS, COMP_CWORD, COMP_LINE and COMP_POINT.
# completion_cli_test.sh OPENCAPF
set -uo pipefail
bin=$1
source "$(dirname "$0")/lib.sh"

expect 2 "A subcommand is required" -- "$bin" completion
expect 2 "Run 'opencapf completion --help' for its usage" -- "$bin" completion
expect 0 "^# bash completion for opencapf" -- "$bin" completion bash
expect 0 "" -- "$bin" completion bash --out "$work/opencapf"
check "bash reads the script" bash -n "$work/opencapf"
check "--out writes what standard output gets" cmp -s "$work/opencapf" <("$bin" completion bash)

# complete LINE: what <TAB> at the end of LINE offers, one word per line (sorted).
complete_line() {
  (cd "$work/files" && bash --norc --noprofile -c '
    source "$1"
    COMP_LINE=$2
    COMP_POINT=${#COMP_LINE}
    # Split as bash does by default: at blanks, and "=" a word of its own (COMP_WORDBREAKS).
    read -ra COMP_WORDS <<<"${COMP_LINE//=/ = }"
    [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    _opencapf opencapf "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf "%s\n" "${COMPREPLY[@]}"' bash "$work/opencapf" "$1" | sort)
}

# completes LINE WORDS...: <TAB> after LINE offers exactly WORDS.
completes() {
  local line=$1
  shift
  local got want
  got=$(complete_line "$line")
  want=$(printf '%s\n' "$@" | sort)
  if [ "$got" = "$want" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: '$line<TAB>' offered [$(echo $got)], wanted [$*]"
  fi
}

# offers LINE WORD: <TAB> after LINE offers WORD among others.
offers() {
  if grep -qx -- "$2" <<<"$(complete_line "$1")"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: '$1<TAB>' did not offer $2 (offered: $(complete_line "$1" | tr '\n' ' '))"
  fi
}

mkdir -p "$work/files/var-data" "$work/files/vendor"
touch "$work/files/phones.csv" "$work/files/ITLFile.tlv" "$work/files/site b.csv"

completes "opencapf dev" device
completes "opencapf d" device doctor
completes "opencapf device " add set cnf show list remove import revoke
completes "opencapf device add SEP001122334455 --auth " null-string auth-string existing-lsc existing-mic
completes "opencapf device add SEP001122334455 --auth existing-" existing-lsc existing-mic
completes "opencapf device set SEP001122334455 --auth=" null-string auth-string existing-lsc existing-mic
completes "opencapf device set SEP001122334455 --auth=existing-l" existing-lsc
completes "opencapf device set SEP001122334455 --operation " none install delete troubleshoot
completes "opencapf device add --key-order ec --rsa" --rsa-bits
completes "opencapf itl build ITLFile.tlv --digest " sha1 sha512
completes "opencapf report --format " table csv json
completes "opencapf cert show " capf callmanager tftp tvs itlrecovery
completes "opencapf admin token " create list revoke
completes "opencapf --v" --version
completes "opencapf help dev" device
completes "opencapf help device a" add
# Flags are those of the command typed, values already given are skipped.
offers "opencapf device list --" --lsc-status
offers "opencapf device add SEP001122334455 --auth null-string --" --complete-by
completes "opencapf device list --lsc-status pending --j" --json
# File and directory names where the flag or argument takes one.
completes "opencapf device add SEP001122334455 --data var" var-data
completes "opencapf device import ph" phones.csv
completes "opencapf device import si" "site b.csv"
completes "opencapf itl show IT" ITLFile.tlv
# Nothing to offer for a number.
completes "opencapf serve --capf-port "
finish
