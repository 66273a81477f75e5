#!/bin/bash
# Benchmark, one guest boot (run with --mode ours --icount): the in-tree
# nvmet/nvmet-fc and ours in turn, both over the in-tree nvme-fcloop (the FC
# loopback LLD, blktests' port names from lib.sh), same null_blk device, same
# fio jobs. Results as tcp-fio.sh's.
. ./lib.sh
TR=fc
. ./lib-bench.sh
finish
