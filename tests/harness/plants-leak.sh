#!/bin/bash
# Harness self-test (debug kernel): every check passes, but the module it
# loads leaks allocations, so kmemleak's scan must fail the run (with
# run-guest --kmemleak batch: the batch's "kmemleak" verdict).
. ./lib.sh
check "load plant-leak.ko (leaks 32 objects of 256 bytes on purpose)" insmod ./plant-leak.ko
finish
