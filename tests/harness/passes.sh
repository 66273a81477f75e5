#!/bin/bash
# Harness self-test: a clean scenario must be reported as PASS (so the three
# failure self-tests cannot pass by the harness failing everything).
. ./lib.sh
check "configfs is mounted" grep -q ' /sys/kernel/config configfs ' /proc/mounts
check "the fixed host NQN is in place" grep -q '^nqn.2014-08.org.nvmexpress:uuid:' /etc/nvme/hostnqn
check "nvme-cli runs" nvme version
finish
