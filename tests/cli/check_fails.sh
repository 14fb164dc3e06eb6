#!/usr/bin/env bash
# A check must be able to fail: `run --check` exits 1 on a wrong expected counter,
# and on a selection of runs that has no expected counters (it checked nothing).
set -u
kiosim=$1
f=$2
fail=0
expect() {  # exit code, text the output must hold, then the command's arguments
  local want=$1 text=$2
  shift 2
  out=$("$kiosim" "$@" 2>&1); code=$?
  if [ "$code" -ne "$want" ]; then echo "FAIL kiosim $*: exit $code, expected $want"; fail=1; return; fi
  case "$out" in *"$text"*) echo "ok   kiosim $*" ;; *) printf 'FAIL kiosim %s\n  wanted: %s\n  got: %s\n' "$*" "$text" "$out"; fail=1 ;; esac
}
expect 1 "expect.sendfile.syscalls: expected 2, got 1" run "$f" --check --method sendfile
expect 1 "expect.sendfile.syscalls: expected 2, got 1" compare "$f" --check
expect 1 "nothing to check" run "$f" --check --method splice
# Ranges (`{ min: A, max: B }`): a count outside fails, one inside passes.
r=${3:-tests/data/check/wrong-expect-range.yaml}
expect 1 "expect.sendfile.syscalls: expected at least 2, got 1" run "$r" --check --method sendfile
expect 1 "expect.splice.syscalls: expected at most 0, got" run "$r" --check --method splice
exit $fail
