#!/bin/bash
# Work scheduling (run with --mode ours --icount): tcp-fio.sh's 4 KiB jobs,
# no digest pass, against the in-tree nvmet-tcp, ours, and ours loaded with
# io_highpri=1 (io_work on high-priority workers, as in-tree), in one boot.
# Results: out/artifacts/bench.txt, with context switches per I/O.
. ./lib.sh
TR=tcp
ADDR=127.0.0.1
BENCH_DIGESTS=0
BENCH_JOBS=4k
BENCH_OURS_AGAIN="highpri io_highpri=1"
. ./lib-bench.sh
finish
