#!/bin/bash
# Harness self-test: a guest that never finishes must be killed at the host's
# timeout and reported as FAIL (run with a guest timeout longer than the host's).
. ./lib.sh
check "start" true
sleep 100000
finish
