#!/usr/bin/env bash
# Reassemble the benchmark workloads (needs nasm). The .bin files are committed.
set -euo pipefail
cd "$(dirname "$0")"
for w in int sieve fib load; do
  for b in 32 64; do nasm -f bin -DBITS=$b -o "w_${w}_${b}.bin" "w_${w}.asm"; done
done
