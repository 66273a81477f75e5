#!/bin/bash
# Teardown under load over trtype loop (lib-teardown.sh's steps): the target
# must survive (no splat, no leak, checked by the harness), keep every
# acknowledged write, and serve the host again afterwards.
#   1. the port is unlinked and relinked under load: the target deletes the
#      host's controller (nvme-loop has no reconnect, as in-tree), the host
#      connects again and the data set verifies;
#   2. the host's controller is reset under load (nvme reset): its queues
#      are torn down and connected again, the data set verifies;
#   3. the namespace is disabled and re-enabled under load, then grown with
#      revalidate_size: the host sees the change (AEN) and the new size;
#   4. teardown with the host connected: rmdir everything, then nvme-loop
#      and nvmet unload at once, while the host's controller goes away.
. ./lib.sh
TR=loop
NQN=nqn.2026-12.org.nvmet-oot:loop-teardown
ADDR=
SVC=
[[ $(uname -r) == *labdbg* ]] && DATASET_SIZE=8M
# The host's controller of NQN (/dev/nvmeN), if any.
loop_ctrl() {
	local c
	for c in /sys/class/nvme/nvme*; do
		[[ $(cat "$c/subsysnqn" 2>/dev/null) == "$NQN" ]] && { echo "/dev/${c##*/}"; return 0; }
	done
	return 1
}
KILL_HOW="nvme reset of the host controller"
kill_connections() {
	[[ ${1:-} == probe ]] && return 0
	nvme reset "$(loop_ctrl)"
}
host_back_after_relink() {
	local before
	check "the port's outage deleted the host's controller" wait_for 30 eval '! loop_ctrl'
	before=$(nvme_blockdevs)
	check "the host connects again" nvme connect -t loop -n $NQN
	bdev=$(wait_new_blockdev "$before")
	check "namespace back ($bdev)" test -b "$bdev"
}
. ./lib-teardown.sh
finish
