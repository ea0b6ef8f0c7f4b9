#!/usr/bin/env bash
# Fails when `go generate ./...` changes any file. Compares checksums of every tracked and untracked
# (non-ignored) file before and after, so it works in a tree with uncommitted edits too.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
if ! command -v protoc >/dev/null 2>&1; then
  echo "check-generated: protoc not found; install protobuf-compiler (make deps does it on Debian)"
  exit 1
fi
sums() { git ls-files -z --cached --others --exclude-standard | xargs -0 -r sha256sum 2>/dev/null | sort; }
before=$(mktemp); after=$(mktemp)
trap 'rm -f "$before" "$after"' EXIT
sums >"$before"
go generate ./...
sums >"$after"
if ! diff -u "$before" "$after" >/dev/null; then
  echo "check-generated: 'go generate ./...' changed these files; run 'make generate' and commit:"
  diff "$before" "$after" | grep '^[<>]' | awk '{print $3}' | sort -u
  exit 1
fi
echo "check-generated: generated code is current"
