#!/usr/bin/env bash
# Every file in tests/data/bad must be refused before anything runs: exit code 2,
# one message naming file:line:column, the key path and what was expected (its
# first line says how the message starts), and nothing on standard output.
set -u
kiosim=$1
dir=$2
fail=0
n=0
for f in "$dir"/*.yaml; do
  n=$((n + 1))
  want=$(head -1 "$f" | sed -n 's/^# expect-error: //p')
  out=$("$kiosim" run "$f" 2>/tmp/kiosim-bad-$$ >/tmp/kiosim-out-$$); code=$?
  got=$(head -1 /tmp/kiosim-bad-$$)
  if [ "$code" -ne 2 ]; then echo "FAIL $f: exit $code, expected 2"; fail=1; continue; fi
  case "$got" in "$f:$want"*) ;; *) false ;; esac
  if [ $? -ne 0 ]; then printf 'FAIL %s\n  expected: %s\n  got:      %s\n' "$f" "$f:$want" "$got"; fail=1; continue; fi
  if [ -s /tmp/kiosim-out-$$ ]; then echo "FAIL $f: printed to stdout"; fail=1; continue; fi
  echo "ok   $f"
done
rm -f /tmp/kiosim-bad-$$ /tmp/kiosim-out-$$
[ "$n" -gt 0 ] || { echo "no bad scenarios found in $dir"; exit 1; }
exit $fail
