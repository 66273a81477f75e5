# Teardown under load, for any transport: sourced by tcp-teardown.sh,
# rdma-teardown.sh, fc-teardown.sh and loop-teardown.sh after lib.sh. The
# caller sets TR (trtype), ADDR, SVC and NQN (ADRFAM: ipv4 unless set;
# HOST_ADDR: the host's address options, -a ADDR -s SVC unless set; none
# over loop, whose port is the first loop port) and defines
# kill_connections [probe] (kills the host's connections to the target;
# with "probe", only says whether it can) and KILL_HOW; it may define
# host_back_after_kill (default wait_live) when the host does not reconnect
# by itself, and set bdev if the device changes; host_back_after_relink
# (default wait_live) when the host's controller does not survive the
# port's outage (loop: the target deletes it) and must connect again; and
# unload_target (default: modprobe -r nvmet-$TR nvmet) for step 4. The
# target must survive (no splat, no leak, checked by the harness), keep every
# acknowledged write, and serve the host again afterwards.
# shellcheck shell=bash
S=$NVMET_CFS/subsystems/$NQN

check "load $(tr_target_mod)" modprobe "$(tr_target_mod)"
img=$(mktemp /tmp/td.XXXXXX)
truncate -s 128M "$img"
check "loop device" sh -c "modprobe loop && losetup /dev/loop0 $img"
check "subsystem" subsys_add $NQN
check "namespace 1 on /dev/loop0" ns_add $NQN 1 /dev/loop0
if [[ $TR == loop ]]; then
	HOST_ADDR=()
	check "loop port" tr_port_add 1
else
	[[ -n ${HOST_ADDR[*]:-} ]] || HOST_ADDR=(-a "$ADDR" -s "$SVC")
	check "$TR port on $ADDR${SVC:+:$SVC}" port_add 1 $TR "${ADRFAM:-ipv4}" "$ADDR" "$SVC"
fi
check "link" port_link 1 $NQN
check "load $(tr_host_mod)" modprobe "$(tr_host_mod)"
before=$(nvme_blockdevs)
# Short reconnect delay and a loss timeout long enough for our outages (a
# loop controller never reconnects: nvme-loop takes neither option).
RECONNECT=(--reconnect-delay=1 --ctrl-loss-tmo=60)
[[ $TR == loop ]] && RECONNECT=()
check "connect" nvme connect -t $TR "${HOST_ADDR[@]}" -n $NQN "${RECONNECT[@]}"
bdev=$(wait_new_blockdev "$before")
check "namespace appears ($bdev)" test -b "$bdev"
# Nothing below means anything without the device.
[[ -n $bdev ]] || finish

# The data set that must survive everything: the first DATASET_SIZE bytes
# (32 MiB unless the caller says), verified later.
dataset() { # write|verify
	local extra=(--do_verify=0)
	[[ $1 == verify ]] && extra=(--verify_only)
	fio --name=dataset --filename="$bdev" --allow_file_create=0 --ioengine=libaio --direct=1 --rw=write --bs=64k \
		--size="${DATASET_SIZE:-32M}" --iodepth=8 --verify=crc32c --verify_fatal=1 --output-format=terse \
		"${extra[@]}"
}
load() { # SECONDS: random reads over the whole device, errors tolerated
	fio --name=load --filename="$bdev" --allow_file_create=0 --ioengine=libaio --direct=1 --rw=randread --bs=4k \
		--iodepth=16 --time_based --runtime="$1" --continue_on_error=all \
		--output-format=terse >/dev/null 2>&1
}
wait_live() { # the controller is live again (reconnected)
	local i
	for ((i = 0; i < 60; i++)); do
		grep -qx live /sys/class/nvme/nvme*/state 2>/dev/null && test -b "$bdev" && return 0
		sleep 1
	done
	return 1
}
check "write the data set (64k sequential, crc32c)" dataset write

# 1. Port unlinked and relinked under load.
load 12 &
lp=$!
sleep 3
check "unlink the subsystem from the port under load" rm "$NVMET_CFS/ports/1/subsystems/$NQN"
sleep 3
check "relink it" port_link 1 $NQN
wait $lp
if declare -F host_back_after_relink >/dev/null; then
	host_back_after_relink
else
	check "host reconnects after the port came back" wait_live
fi
check "data set intact after port outage" dataset verify

# 2. The host's connections killed mid-I/O (kill_connections: the
# transport's way; it says so and fails when it cannot).
if kill_connections probe; then
	load 10 &
	lp=$!
	sleep 3
	check "kill the host's connections mid-I/O ($KILL_HOW)" kill_connections
	wait $lp
	if declare -F host_back_after_kill >/dev/null; then
		host_back_after_kill
	else
		check "host reconnects after its connections died" wait_live
	fi
	check "data set intact after connection loss" dataset verify
else
	note "$KILL_HOW unavailable: connection kill not exercised"
fi

# 3. Namespace disabled and re-enabled under load; then resized.
load 10 &
lp=$!
sleep 3
check "disable the namespace under load" sh -c "echo 0 > $S/namespaces/1/enable"
sleep 2
check "re-enable it" sh -c "echo 1 > $S/namespaces/1/enable"
wait $lp
# The host drops the namespace on the AEN and adds it again on the next one;
# its block device may come back under another name (the in-tree target's
# timing gives nvme0n2, ours often keeps nvme0n1: both are fine).
wait_any_ns() {
	local i
	for ((i = 0; i < 60; i++)); do
		[[ -n $(nvme_blockdevs) ]] && grep -qx live /sys/class/nvme/nvme*/state && return 0
		sleep 1
	done
	# What the host was left with, for whoever reads this failure.
	grep -H . /sys/class/nvme/nvme*/state
	lsblk -o NAME,SIZE,STATE
	nvme list-ns /dev/nvme0 -a 2>&1
	dmesg | grep -E 'nvme|nvmet' | tail -25
	return 1
}
check "namespace back on the host" wait_any_ns
bdev=/dev/$(nvme_blockdevs | head -1)
check "data set intact after namespace disable/enable" dataset verify
size0=$(blockdev --getsize64 "$bdev")
truncate -s 256M "$img"
check "grow the backing device" losetup -c /dev/loop0
check "revalidate_size" sh -c "echo 1 > $S/namespaces/1/revalidate_size"
check "host sees the new size (AEN + rescan)" sh -c "for i in \$(seq 30); do
	[ \$(blockdev --getsize64 $bdev) -gt $size0 ] && exit 0; sleep 1; done; exit 1"

# 4. Teardown with the host connected: the target side goes away first.
check "remove the port link with the host connected" rm "$NVMET_CFS/ports/1/subsystems/$NQN"
check "target teardown through configfs" target_clear
declare -F unload_target >/dev/null || unload_target() { modprobe -r "$(tr_target_mod)" nvmet; }
check "unload $(tr_target_mod) and nvmet while the host retries" unload_target
check "host gives up cleanly" sh -c "nvme disconnect -n $NQN >/dev/null 2>&1; for i in \$(seq 30); do
	[ -z \"\$(ls /sys/class/nvme 2>/dev/null)\" ] && exit 0; sleep 1; done; exit 1"
if [[ $TR == loop ]]; then
	check "nvme-loop went with the target" bash -c "! grep -q '^nvme_loop ' /proc/modules"
else
	check "unload nvme-$TR" modprobe -r nvme-$TR
fi
losetup -d /dev/loop0
