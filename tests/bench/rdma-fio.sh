#!/bin/bash
# Benchmark, one guest boot (run with --mode ours --icount): the in-tree
# nvmet/nvmet-rdma and ours in turn, same null_blk device, same fio jobs, over
# NVMe/RDMA on soft-RoCE (rxe0 over eth0). Results as tcp-fio.sh's.
. ./lib.sh
TR=rdma
check "soft-RoCE device rxe0 on eth0" rxe_add
ADDR=$(rxe_addr)
. ./lib-bench.sh
finish
