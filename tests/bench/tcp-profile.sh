#!/bin/bash
# Profiles (run with --mode ours --icount): tcp-fio.sh's 4 KiB QD32 and
# 128 KiB jobs against the in-tree nvmet-tcp and ours in one boot, each job
# run once for its IOPS and once under perf (cpu-clock: instruction-based
# under -icount).
# Results: out/artifacts/bench.txt and profile-TARGET-JOB.txt.
. ./lib.sh
TR=tcp
ADDR=127.0.0.1
PROFILE=1
BENCH_DIGESTS=0
BENCH_JOBS='qd32|128k'
. ./lib-bench.sh
finish
