#!/bin/bash
# Work scheduling (run with --mode ours --icount): tcp-fio.sh's 4 KiB jobs,
# no digest pass, against the in-tree nvmet-tcp, ours (io_work's worker
# priority picked by load), and ours loaded with io_highpri=0 (normal
# priority always), in one boot.
# Results: out/artifacts/bench.txt, with context switches per I/O.
. ./lib.sh
TR=tcp
ADDR=127.0.0.1
BENCH_DIGESTS=0
BENCH_JOBS=4k
BENCH_OURS_AGAIN="normal io_highpri=0"
. ./lib-bench.sh
finish
