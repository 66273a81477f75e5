#!/bin/bash
# Harness self-test: a scenario whose check fails must be reported as FAIL.
. ./lib.sh
check "true is true" true
check "this check is meant to fail" false
finish
