#!/bin/bash
# The private data of an RDMA_CM connection request (NVMe over Fabrics, RDMA
# transport binding), sent by a raw client (rdma_cm_probe.py, librdmacm
# through ctypes) over soft-RoCE: the target accepts what the binding allows
# (CRQSIZE in its reply) and rejects the rest with the binding's status in
# its reject data. Side by side; where the in-tree target accepts what ours
# rejects (docs/rdma.md), the check is ours only and the in-tree answer is
# noted. An RDMA port with T10-PI is refused (ours). The kernel host
# connects afterwards.
. ./lib.sh
NQN=nqn.2026-12.org.nvmet-oot:rdma-cm
SVC=4420

check "soft-RoCE device rxe0 on eth0" rxe_add
ADDR=$(rxe_addr)
check "load nvmet-rdma" modprobe nvmet-rdma
dev=$(backing_loop 16)
check "create subsystem $NQN" subsys_add $NQN
check "namespace 1 on $dev" ns_add $NQN 1 "$dev"
check "RDMA port 1 on $ADDR:$SVC" port_add 1 rdma ipv4 "$ADDR" $SVC
check "link $NQN to port 1" port_link 1 $NQN

probe() { python3 ./rdma_cm_probe.py "$ADDR" $SVC "$@"; }
rejected() { echo "^rejected reason=28 recfmt=0 sts=$1\$"; } # consumer defined

check_output "admin queue of 32 entries: accepted, CRQSIZE 32" \
	'^accepted recfmt=0 crqsize=32$' probe 0 0 32 31
check_output "I/O queue of 128 entries: accepted, CRQSIZE 128" \
	'^accepted recfmt=0 crqsize=128$' probe 0 1 128 127
check_output "RECFMT 1: rejected, invalid record format (2)" "$(rejected 2)" probe 1 0 32 31
check_output "admin queue of 33 entries: rejected, invalid HSQSIZE (4)" "$(rejected 4)" \
	probe 0 0 33 32
# Checks the in-tree target does not make (it fails the Connect later, or
# sizes its queue pair from the host's numbers).
if target_is_ours; then
	check_output "I/O queue beyond param_max_queue_size (1024 entries): invalid HSQSIZE (4)" \
		"$(rejected 4)" probe 0 1 1024 1023
	check_output "HSQSIZE 0 (a one-entry queue): invalid HSQSIZE (4)" "$(rejected 4)" \
		probe 0 1 1 0
	check_output "HRQSIZE 0: invalid HRQSIZE (5)" "$(rejected 5)" probe 0 1 0 127
else
	note "in-tree, 1024 entries: $(probe 0 1 1024 1023)"
	note "in-tree, HSQSIZE 0: $(probe 0 1 1 0)"
	note "in-tree, HRQSIZE 0: $(probe 0 1 0 127)"
fi

# T10-PI over RDMA: ours refuses the port (no metadata support yet); in-tree
# enables it and turns PI off at the first connection on a device without
# integrity offload, which soft-RoCE is.
pi_port() { port_add 2 rdma ipv4 "$ADDR" 4421 && echo 1 >"$NVMET_CFS/ports/2/param_pi_enable"; }
check "RDMA port 2 on $ADDR:4421 with param_pi_enable 1" pi_port
if target_is_ours; then
	check_fails "linking a subsystem to it is refused (T10-PI over RDMA is not supported yet)" \
		port_link 2 $NQN
	check_output "the refusal is logged with what to do" "param_pi_enable is set but trtype 1" \
		dmesg
else
	port_link 2 $NQN && note "in-tree: the link to the T10-PI port succeeded"
fi

check "load nvme-rdma (host)" modprobe nvme-rdma
before=$(nvme_blockdevs)
check "the kernel host connects after the probes" nvme connect -t rdma -a "$ADDR" -s $SVC -n $NQN
bdev=$(wait_new_blockdev "$before")
check "namespace appears ($bdev)" test -b "$bdev"
check "a read through it" dd if="$bdev" of=/dev/null bs=4k count=16 iflag=direct
check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN

check "target teardown through configfs" target_clear
check "unload nvme-rdma" modprobe -r nvme-rdma
check "unload nvmet-rdma and nvmet" modprobe -r nvmet-rdma nvmet
check "remove rxe0" rdma link delete rxe0
losetup -d "$dev"
finish
