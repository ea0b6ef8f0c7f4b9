#!/usr/bin/env bash
# Installs the Debian packages `make test` uses when they are missing: qemu-user-static (the arm64
# run), protobuf-compiler (regenerating the protocol in check-generated), binutils-aarch64-linux-gnu
# (the NEON encoding-table oracle) and mariadb-client (sql/server's test with a real MySQL client).
# Go modules come from the module proxy on their own.
set -euo pipefail
need=()
command -v qemu-aarch64-static >/dev/null 2>&1 || need+=(qemu-user-static)
command -v protoc >/dev/null 2>&1 || need+=(protobuf-compiler)
command -v aarch64-linux-gnu-as >/dev/null 2>&1 || need+=(binutils-aarch64-linux-gnu)
command -v mariadb >/dev/null 2>&1 || command -v mysql >/dev/null 2>&1 || need+=(mariadb-client)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo"
if ! command -v apt-get >/dev/null 2>&1 || { [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; }; then
  echo "deps: missing ${need[*]}; install them with your package manager (Debian: apt-get install ${need[*]})"
  exit 0
fi
echo "deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${need[@]}"
