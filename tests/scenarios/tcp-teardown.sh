#!/bin/bash
# Teardown under load, over NVMe/TCP: the target must survive (no splat, no
# leak, checked by the harness), keep every acknowledged write, and serve the
# host again afterwards.
#   1. a verified data set is written, then random reads run while the port is
#      unlinked and relinked: the host reconnects and the data set verifies;
#   2. the host's TCP connections are killed mid-I/O (ss -K): same;
#   3. the namespace is disabled and re-enabled under load, then grown with
#      revalidate_size: the host sees the change (AEN) and the new size;
#   4. teardown with the host still connected: rmdir everything, unload.
. ./lib.sh
TR=tcp
NQN=nqn.2026-11.org.nvmet-oot:teardown
ADDR=127.0.0.1
SVC=4420
KILL_HOW="ss -K"
kill_connections() {
	if [[ ${1:-} == probe ]]; then
		ss -K dst $ADDR dport = :$SVC >/dev/null 2>&1
		return
	fi
	ss -K dst $ADDR dport = :$SVC
}
. ./lib-teardown.sh
finish
