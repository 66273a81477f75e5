#!/bin/bash
# Benchmark, one guest boot (run with --mode ours --icount): the in-tree
# nvmet/nvmet-tcp and ours in turn, same null_blk device, same fio jobs, over
# NVMe/TCP on loopback. With -icount the guest clock counts instructions, so
# IOPS and latency measure the path length per I/O, not host load.
# Results: out/artifacts/bench.txt (one line per target and job).
. ./lib.sh
TR=tcp
ADDR=127.0.0.1
. ./lib-bench.sh
finish
