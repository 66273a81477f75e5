#!/bin/bash
# Teardown under load, over NVMe/FC (nvme-fcloop): the target must survive
# (no splat, no leak, checked by the harness), keep every acknowledged
# write, and serve the host again afterwards.
#   1. a verified data set is written, then random reads run while the port is
#      unlinked and relinked: the host reconnects and the data set verifies;
#   2. the FC target port is deleted mid-I/O (the LLD unregisters it with live
#      associations: nvmet_fc_unregister_targetport) together with the remote
#      port that leads to it, then both are added back: the configured nvmet
#      port serves again by itself, the host reconnects, the data set verifies;
#   3. the namespace is disabled and re-enabled under load, then grown with
#      revalidate_size: the host sees the change (AEN) and the new size;
#   4. teardown with the host still connected: rmdir everything; the target
#      port is deleted under the retrying host, fcloop and the target unload.
. ./lib.sh
TR=fc
NQN=nqn.2026-12.org.nvmet-oot:fc-teardown
ADRFAM=fc
ADDR=$FC_TRADDR
SVC=
HOST_ADDR=(-a "$FC_TRADDR" -w "$FC_HOST_TRADDR")
check "load nvmet-fc" modprobe nvmet-fc
check "load nvme-fc (host)" modprobe nvme-fc
check "load nvme-fcloop" fcloop_load
check "fcloop target, local and remote ports" fcloop_add_ports
[[ $(uname -r) == *labdbg* ]] && DATASET_SIZE=8M
KILL_HOW="fcloop target port and its remote port deleted, added back 2 s later"
kill_connections() {
	[[ ${1:-} == probe ]] && return 0
	fcloop_del_pair && sleep 2 && fcloop_add_target && fcloop_add_remote
}
# fcloop holds nvmet-fc: its ports and the module go before the target unloads.
del_local_port() { echo "wwnn=$FC_L_WWNN,wwpn=$FC_L_WWPN" >$FCLOOP/del_local_port; }
unload_target() {
	with_deadline 60 fcloop_del_pair &&
		with_deadline 60 nvme disconnect -n $NQN >/dev/null 2>&1
	with_deadline 60 del_local_port && with_deadline 60 rmmod nvme_fcloop &&
		with_deadline 60 modprobe -r nvmet-fc nvmet
}
. ./lib-teardown.sh
finish
