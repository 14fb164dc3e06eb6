#!/usr/bin/env bash
# The walk-through of course/README.md ("Walk-through, as a new student"), run as written:
# the first ```sh block under that heading, with `kiosim` on the PATH, in a scratch
# directory that sees the repository's course/ and scenarios/. Then its results are
# checked: the problem, the answers, and a Gradescope file whose scores add up.
# Usage: course_walkthrough.sh KIOSIM SOURCE_DIR
set -euo pipefail
kiosim=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
ln -s "$kiosim" "$work/bin/kiosim"
ln -s "$src/course" "$work/course"
ln -s "$src/scenarios" "$work/scenarios"
awk '/^## Walk-through/ {on=1} on && /^```sh$/ {inblock=1; next} inblock && /^```$/ {exit} inblock {print}' \
  "$src/course/README.md" > "$work/walkthrough.sh"
[ -s "$work/walkthrough.sh" ] || { echo "no walk-through block in course/README.md"; exit 1; }
cd "$work"
PATH="$work/bin:$PATH" bash -euo pipefail walkthrough.sh > out.txt 2>&1 || { cat out.txt; echo "FAIL: the walk-through failed"; exit 1; }
grep -q "^ARG student   ada" out.txt || { cat out.txt; echo "FAIL: run hw1.yaml printed no ARG student line"; exit 1; }
grep -q "answer:" out.txt || { cat out.txt; echo "FAIL: run -c printed no answers"; exit 1; }
grep -q "^ada (ada.yaml): .* of 9 points" out.txt || { cat out.txt; echo "FAIL: no grade for ada"; exit 1; }
# The reasoning line course/README.md quotes from ada's `run -c` must be what the run prints.
quoted=$(grep -o '"[0-9]* syscall_enter event(s) ([^"]*"' "$src/course/README.md" | head -1 | tr -d '"')
[ -n "$quoted" ] || { echo "FAIL: course/README.md quotes no syscall_enter reasoning line"; exit 1; }
grep -qF -- "$quoted" out.txt || { grep syscall_enter out.txt; echo "FAIL: course/README.md quotes \"$quoted\", not in the output"; exit 1; }
python3 - results.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert abs(sum(t["score"] for t in r["tests"]) - r["score"]) < 1e-9, r
print(f"walk-through: ada scored {r['score']} of {sum(t['max_score'] for t in r['tests'])}")
PY
