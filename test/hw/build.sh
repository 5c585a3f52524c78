#!/usr/bin/env bash
# Builds the hardware-vector harness: test/hw/build/harness (x86-64 Linux, gcc + nasm).
# Regenerate the vectors afterwards with:  python3 test/hw/gen.py
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p build
nasm -f bin stubs.asm -o build/stubs.bin
gcc -O2 -Wall -Wextra -o build/harness harness.c
echo "built $(pwd)/build/harness"
