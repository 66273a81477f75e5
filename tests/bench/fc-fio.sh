#!/bin/bash
# Benchmark, one guest boot (run with --mode ours --icount): the in-tree
# nvmet/nvmet-fc with the in-tree nvme-fcloop, then ours, same null_blk
# device, same fio jobs, over NVMe/FC on the FC loopback LLD (blktests' port
# names, lib.sh). Results as tcp-fio.sh's.
. ./lib.sh
TR=fc
. ./lib-bench.sh
finish
