#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a short time each (default 20s): make fuzz FUZZTIME=1m.
set -euo pipefail
fuzztime=${1:-20s}
cd "$(git rev-parse --show-toplevel)"
status=0
while read -r file; do
  dir=$(dirname "$file")
  for target in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)\(' "$file" | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/'); do
    echo "== ./$dir $target ($fuzztime)"
    go test "./$dir" -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -parallel 1 || status=1
  done
done < <(git ls-files --cached --others --exclude-standard '*_test.go' | xargs grep -l '^func Fuzz' | sort)
exit $status
