#!/bin/bash
# param_mdts: a TCP port with param_mdts 1 (MDTS counts 4 KiB pages, CAP.MPSMIN
# 0: 2^1 pages = 8 KiB). Identify Controller reports MDTS 1; the kernel host
# (direct paths: multipath off, so refusals reach nvme io-passthru unretried)
# splits fio's 1 MiB writes and verifies them; a Read whose NLB asks for
# 16 KiB (more than MDTS) fails with Invalid Field in Command, one of 8 KiB
# succeeds. The in-tree target reports param_mdts but does not enforce it
# (the oversized Read gets a Data SGL Length Invalid there): ours only.
. ./lib.sh
NQN=nqn.2026-12.org.nvmet-oot:mdts
ADDR=127.0.0.1
SVC=4420

check "load nvmet-tcp" modprobe nvmet-tcp
dev=$(backing_loop 128)
check "create subsystem $NQN" subsys_add $NQN
check "namespace 1 on $dev" ns_add $NQN 1 "$dev"
check "TCP port 1 on $ADDR:$SVC" port_add 1 tcp ipv4 $ADDR $SVC
check "param_mdts 1 on port 1" sh -c "echo 1 > $NVMET_CFS/ports/1/param_mdts"
check "link subsystem to port 1" port_link 1 $NQN

modprobe -r nvme-tcp nvme-fabrics nvme nvme_core 2>/dev/null
check "nvme_core with multipath off (direct paths)" modprobe nvme_core multipath=N
check "load nvme-tcp (host)" modprobe nvme-tcp
before=$(nvme_blockdevs)
check "connect" nvme connect -t tcp -a $ADDR -s $SVC -n $NQN
bdev=$(wait_new_blockdev "$before")
check "namespace block device appears ($bdev)" test -b "$bdev"
check_output "id-ctrl reports MDTS 1" "^mdts +: 1$" nvme id-ctrl "$bdev"
check_output "the host caps its requests at 8 KiB" "^8$" cat "/sys/block/${bdev#/dev/}/queue/max_hw_sectors_kb"
check "fio 1M random write + crc32c verify, QD8 (split by the host)" \
	fio --name=mdts --filename="$bdev" --ioengine=libaio --direct=1 --rw=randwrite \
	--bs=1M --size=32M --iodepth=8 --verify=crc32c --do_verify=1 --verify_fatal=1 \
	--output-format=terse
lbads=$(cat "/sys/block/${bdev#/dev/}/queue/logical_block_size")
check "a Read of 8 KiB (= MDTS) succeeds" sh -c "nvme io-passthru $bdev --opcode=0x02 \
	--namespace-id=1 --data-len=8192 --read --cdw12=$((8192 / lbads - 1)) >/dev/null"
# fails_with REGEX CMD...: CMD exits non-zero and prints a line matching REGEX.
fails_with() {
	local re=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	echo "$out"
	[[ $rc -ne 0 ]] && grep -qE -- "$re" <<<"$out"
}
check "a Read of 16 KiB (> MDTS) fails with Invalid Field in Command" \
	fails_with "INVALID_FIELD|Invalid Field in Command" nvme io-passthru "$bdev" --opcode=0x02 --namespace-id=1 --data-len=4096 --read \
	--cdw12=$((16384 / lbads - 1))
check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN

check "target teardown through configfs" target_clear
check "unload nvme-tcp" modprobe -r nvme-tcp
check "unload nvmet-tcp and nvmet" modprobe -r nvmet-tcp nvmet
losetup -d "$dev"
finish
