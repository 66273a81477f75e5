#!/bin/bash
# Harness self-test: a kernel crash during the scenario must be reported as
# FAIL, not retried as a boot artefact.
. ./lib.sh
check "start" true
echo c >/proc/sysrq-trigger
sleep 30
finish
