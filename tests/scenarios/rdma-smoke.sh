#!/bin/bash
# RDMA smoke: soft-RoCE (rdma_rxe on eth0, 10.0.2.15), a subsystem with a
# block (loop device) and a file namespace on an RDMA port, then from the
# kernel's NVMe/RDMA host: discover, connect with 2 I/O queues of 64 entries,
# fio write + verify from 4 KiB to 1 MiB on both namespaces (in-capsule and
# keyed SGL data), disconnect. Then the same with in-capsule data off and at
# 16 KiB; a wildcard port's discovery log; an IPv6 port; and shared receive
# queues (use_srq=1). Runs unchanged against
# the in-tree target and ours.
. ./lib.sh
NQN=nqn.2026-12.org.nvmet-oot:rdma
SVC=4420

check "soft-RoCE device rxe0 on eth0" rxe_add
ADDR=$(rxe_addr)
check_output "eth0 has an IPv4 address ($ADDR)" '^[0-9.]+$' echo "$ADDR"
check "load nvmet-rdma" modprobe nvmet-rdma
check "load nvme-rdma (host)" modprobe nvme-rdma

subsys_two_ns $NQN

# one_port INLINE LABEL: port 1 with param_inline_data_size INLINE (or the
# default), connect, I/O on both namespaces, disconnect, port removed.
one_port() {
	local inline=$1 label=$2 before sgls
	check "$label: RDMA port 1 on $ADDR:$SVC" port_add 1 rdma ipv4 "$ADDR" $SVC
	if [[ -n $inline ]]; then
		check "$label: param_inline_data_size $inline" \
			bash -c "echo $inline > $NVMET_CFS/ports/1/param_inline_data_size"
	fi
	check "$label: link $NQN to port 1" port_link 1 $NQN
	check_output "$label: discovery log lists the subsystem over rdma" \
		"trtype: +rdma" nvme discover -t rdma -a "$ADDR" -s $SVC
	before=$(nvme_blockdevs)
	check "$label: connect, 2 I/O queues of 64 entries" \
		nvme connect -t rdma -a "$ADDR" -s $SVC -n $NQN -i 2 -Q 64
	two_ns_connected "$label: " "$before"
	sgls=$(nvme id-ctrl "$B1" | awk -F: '/^sgls/ { gsub(/ /, "", $2); print $2 }')
	check "$label: id-ctrl reports keyed SGLs (SGLS $sgls, bit 2)" \
		bash -c "(( ($sgls) & 4 ))"
	fio_two_ns "$label"
	check_output "$label: disconnect" "disconnected 1 controller" nvme disconnect -n $NQN
	check "$label: unlink and remove port 1" \
		bash -c "rm $NVMET_CFS/ports/1/subsystems/$NQN && rmdir $NVMET_CFS/ports/1"
}

one_port "" "default in-capsule size"
# On the debug kernel the default size and the shared receive queues only
# (each phase takes minutes there); the other sizes run on the others.
if [[ $DBG == 0 ]]; then
	one_port 0 "no in-capsule data"
	one_port 16384 "16 KiB in-capsule data"
fi

# A wildcard port: the discovery log names the address the host reached.
check "wildcard RDMA port 2 on 0.0.0.0:4421" port_add 2 rdma ipv4 0.0.0.0 4421
check "link $NQN to port 2" port_link 2 $NQN
check_output "discovery through the wildcard port reports traddr $ADDR" \
	"traddr: +$ADDR\$" nvme discover -t rdma -a "$ADDR" -s 4421
# IPv6 (RoCEv2 over an IPv6 address of eth0).
check "IPv6 address fd00::15 on eth0" ip -6 addr add fd00::15/64 dev eth0 nodad
check "IPv6 RDMA port 3 on [fd00::15]:4420" port_add 3 rdma ipv6 fd00::15 $SVC
check "link $NQN to port 3" port_link 3 $NQN
before=$(nvme_blockdevs)
check "connect over IPv6" nvme connect -t rdma -a fd00::15 -s $SVC -n $NQN -i 1
b6=$(wait_new_blockdev "$before")
check "namespace appears over IPv6 ($b6)" test -b "$b6"
fio_verify ipv6-4k "$b6" 4k $SMALL 16 --rw=randwrite
check_output "disconnect over IPv6" "disconnected 1 controller" nvme disconnect -n $NQN

# Shared receive queues: a module parameter, read when the module loads.
check "target teardown before reloading nvmet-rdma" target_clear
check "unload nvmet-rdma" modprobe -r nvmet-rdma
check "load nvmet-rdma use_srq=1" modprobe nvmet-rdma use_srq=1
check_output "use_srq is on" '^Y$' cat /sys/module/nvmet_rdma/parameters/use_srq
check_fails "srq_size below 256 is refused" \
	bash -c 'echo 255 > /sys/module/nvmet_rdma/parameters/srq_size'
check "create subsystem $NQN again" subsys_add $NQN
check "namespace 1 on $NS_DEV again" ns_add $NQN 1 "$NS_DEV"
check "namespace 2 on $NS_FILE again" ns_add $NQN 2 "$NS_FILE"
one_port "" "shared receive queues"

check "target teardown through configfs" target_clear
check "unload nvme-rdma" modprobe -r nvme-rdma
check "unload nvmet-rdma and nvmet" modprobe -r nvmet-rdma nvmet
check "nvmet is unloaded" bash -c '! grep -q "^nvmet " /proc/modules'
check "remove rxe0" rdma link delete rxe0
losetup -d "$NS_DEV"
rm -f "$NS_FILE"
finish
