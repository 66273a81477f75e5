#!/bin/bash
# Teardown under load, over NVMe/RDMA (soft-RoCE rxe0 on eth0): the target
# must survive (no splat, no leak, checked by the harness), keep every
# acknowledged write, and serve the host again afterwards.
#   1. a verified data set is written, then random reads run while the port is
#      unlinked and relinked: the host reconnects and the data set verifies;
#   2. the RDMA device is removed mid-I/O (rdma link delete rxe0) and added
#      back: every connection and the port's listener go with it. The host
#      shares the device and deletes its controller (nvme-rdma does so on
#      device removal); the target listens again (ours by itself, the
#      in-tree one once its port is re-enabled), the host connects anew and
#      the data set verifies;
#   3. the namespace is disabled and re-enabled under load, then grown with
#      revalidate_size: the host sees the change (AEN) and the new size;
#   4. teardown with the host still connected: rmdir everything, unload.
. ./lib.sh
TR=rdma
NQN=nqn.2026-12.org.nvmet-oot:rdma-teardown
SVC=4420
check "soft-RoCE device rxe0 on eth0" rxe_add
ADDR=$(rxe_addr)
# KASAN under TCG makes soft-RoCE about ten times slower on the debug kernel.
[[ $(uname -r) == *labdbg* ]] && DATASET_SIZE=8M
KILL_HOW="rdma link delete rxe0, added back 2 s later"
kill_connections() {
	[[ ${1:-} == probe ]] && return 0
	rdma link delete rxe0 && sleep 2 && rxe_add
}
host_back_after_kill() {
	local before
	before=$(nvme_blockdevs)
	# Ours listens again within its 5 s retry of a listener lost with its
	# device; the in-tree target stays deaf until the port is re-enabled.
	if ! target_is_ours; then
		note "in-tree: re-enable port 1 (it does not listen again by itself)"
		check "in-tree: unlink and relink the subsystem to re-enable port 1" \
			bash -c "rm $NVMET_CFS/ports/1/subsystems/$NQN && sleep 1 && ln -s $NVMET_CFS/subsystems/$NQN $NVMET_CFS/ports/1/subsystems/$NQN"
	fi
	check "host connects again once the target listens again" bash -c "for i in \$(seq 20); do
		nvme connect -t rdma -a $ADDR -s $SVC -n $NQN --reconnect-delay=1 --ctrl-loss-tmo=60 && exit 0
		sleep 1; done; exit 1"
	bdev=$(wait_new_blockdev "$before")
	check "namespace appears again ($bdev)" test -b "$bdev"
}
. ./lib-teardown.sh
check "remove rxe0" rdma link delete rxe0
finish
