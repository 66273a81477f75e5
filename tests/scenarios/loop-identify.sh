#!/bin/bash
# tcp-identify over trtype loop: Identify, log pages, features, registers
# and the discovery log as the host sees them through nvme-loop, saved and
# compared field by field with the in-tree nvme-loop's.
TR=loop
. ./tcp-identify.sh
