#!/bin/bash
# Harness self-test: every check passes, but the kernel log shows a WARNING
# after the start marker, so the scenario must be reported as FAIL.
. ./lib.sh
check "write a planted WARNING to the kernel log" \
	sh -c 'echo "WARNING: CPU: 0 PID: 1 at lab/planted.c:1 planted_by_harness_selftest" >/dev/kmsg'
finish
