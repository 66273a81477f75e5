#!/bin/bash
# FC smoke: NVMe/FC over nvme-fcloop (the in-kernel FC loopback LLD): a
# target port, a local (host) port and the remote port that joins them, as
# blktests sets them up; a subsystem with a block (loop device) and a file
# namespace on an fc port; then from the kernel's NVMe/FC host: discover,
# connect with 2 I/O queues, fio write + verify from 4 KiB to 1 MiB on both
# namespaces, disconnect. Before that the refusals: a connect no nvmet port
# serves, ports with a bad traddr, a WWPN no LLD registered, a second port
# on the same target port. Last, the target port deleted and added again
# under a configured nvmet port. Runs unchanged against the in-tree target
# and ours.
. ./lib.sh
NQN=nqn.2026-12.org.nvmet-oot:fc
TRADDR=$FC_TRADDR
HOST_TRADDR=$FC_HOST_TRADDR

check "load nvmet-fc" modprobe nvmet-fc
check "load nvme-fc (host)" modprobe nvme-fc
check "load nvme-fcloop" fcloop_load
check "fcloop target, local and remote ports" fcloop_add_ports

subsys_two_ns $NQN

# fc_live_ctrl NQN: a live host controller of NQN exists.
fc_live_ctrl() {
	local c
	for c in /sys/class/nvme/nvme*; do
		[[ $(cat "$c/state" 2>/dev/null) == live && $(cat "$c/subsysnqn" 2>/dev/null) == "$1" ]] &&
			return 0
	done
	return 1
}

# Refusals at port enable (linking a subsystem enables the port).
check "port 2 with a traddr that is no FC address" port_add 2 fc fc "nn-0x12:pn-0x34"
check_fails "linking it is refused" port_link 2 $NQN
check "remove port 2" rmdir "$NVMET_CFS/ports/2"
check "port 3 for a WWPN no LLD registered" port_add 3 fc fc "nn-0x10001100ab0000ff:pn-0x20001100ab0000ff"
check_fails "linking it is refused" port_link 3 $NQN
check "remove port 3" rmdir "$NVMET_CFS/ports/3"

# No nvmet port serves the FC target port yet: the association is refused,
# and the kernel host keeps a controller that retries every 2 s (in-tree
# and ours alike); it must go live once port 1 serves.
with_deadline 60 nvme connect -t fc -a "$TRADDR" -w "$HOST_TRADDR" -n $NQN >/dev/null 2>&1
sleep 3
check_output "the host's association attempt was refused" "Reconnect attempt failed" dmesg
check_fails "no live controller for $NQN" fc_live_ctrl $NQN

check "FC port 1 on $TRADDR" port_add 1 fc fc "$TRADDR"
check "link $NQN to port 1" port_link 1 $NQN
check "the retrying controller goes live now that port 1 serves" \
	wait_for 20 fc_live_ctrl $NQN
check_output "disconnect it" "disconnected 1 controller" nvme disconnect -n $NQN
check "port 4 on the same target port" port_add 4 fc fc "$TRADDR"
check_fails "linking it is refused (one nvmet port per FC target port)" port_link 4 $NQN
check "remove port 4" rmdir "$NVMET_CFS/ports/4"

check_output "discovery log lists the subsystem over fc" "subnqn: +$NQN" \
	nvme discover -t fc -a "$TRADDR" -w "$HOST_TRADDR"
before=$(nvme_blockdevs)
check "connect, 2 I/O queues" nvme connect -t fc -a "$TRADDR" -w "$HOST_TRADDR" -n $NQN -i 2
two_ns_connected "" "$before"
check_output "the host's controller is over fc" '^fc$' \
	bash -c "grep -l $NQN /sys/class/nvme/nvme*/subsysnqn | sed 's/subsysnqn\$/transport/' | xargs cat"
fio_two_ns ""
check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN

# The LLD takes the target port away and brings it back: the configured
# nvmet port serves again without being touched.
check "delete the fcloop target port and its remote port" fcloop_del_pair
check "add the target port again" fcloop_add_target
check "add the remote port again" fcloop_add_remote
before=$(nvme_blockdevs)
check "connect again" nvme connect -t fc -a "$TRADDR" -w "$HOST_TRADDR" -n $NQN -i 1
b3=$(wait_new_blockdev "$before")
check "a namespace appears again ($b3)" test -b "$b3"
fio_verify again-4k "$b3" 4k $SMALL 16 --rw=randwrite
check_output "disconnect again" "disconnected 1 controller" nvme disconnect -n $NQN

check "target teardown through configfs" target_clear
check "delete the fcloop ports" fcloop_del_ports
check "unload nvme-fcloop" rmmod nvme_fcloop
check "unload nvme-fc" modprobe -r nvme-fc
check "unload nvmet-fc and nvmet" modprobe -r nvmet-fc nvmet
check "nvmet is unloaded" bash -c '! grep -q "^nvmet " /proc/modules'
losetup -d "$NS_DEV"
rm -f "$NS_FILE"
finish
