#!/bin/bash
# tcp-smoke over trtype loop (nvme-loop: host and target in one module): a
# loop port, discover and connect with -t loop, fio write + verify,
# disconnect, teardown, unload. Runs unchanged against the in-tree nvme-loop
# and ours.
TR=loop
. ./tcp-smoke.sh
