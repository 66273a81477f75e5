#!/bin/bash
# What the target reports it enforces on the I/O path: ANA group states,
# Write Protect (Set Features 84h), T10-PI only on transports that carry
# metadata, and Write Zeroes that zeroes even where the backing device cannot
# zero natively (a loop device over a tmpfs file), as the in-tree target does.
# The host runs on direct paths (nvme_core multipath=N), so the target's own
# statuses reach nvme-cli unretried; statuses are matched with their DNR bit
# (0x4000 in nvme-cli's value: it must be clear; 0x2000 is the More bit).
. ./lib.sh
NQN=nqn.2026-11.org.nvmet-oot:enforce
PORT=$NVMET_CFS/ports/1

check "direct paths (nvme_core multipath=N)" sh -c \
	'modprobe -r nvme-tcp nvme-fabrics nvme nvme-core 2>/dev/null; modprobe nvme-core multipath=N &&
	 grep -qx N /sys/module/nvme_core/parameters/multipath'
check "load" modprobe -a nvmet nvmet-tcp nvme-tcp loop
backing=$(backing_loop 64)
check "loop device over a tmpfs file" test -b "$backing"
check "subsystem" subsys_add $NQN
check "namespace 1 on the loop device" ns_add $NQN 1 "$backing"
check "port" port_add 1 tcp ipv4 127.0.0.1 4420

# --- T10-PI needs a transport with metadata; TCP has none -----------------
if [[ -e $PORT/param_pi_enable ]]; then
	check "param_pi_enable=1 on the TCP port" sh -c "echo 1 >$PORT/param_pi_enable"
	check_fails "linking a subsystem to it is refused" port_link 1 $NQN
	check "no link was left behind" test ! -e "$PORT/subsystems/$NQN"
	check_output "the kernel log says why" "T10-PI" dmesg
	check "param_pi_enable=0" sh -c "echo 0 >$PORT/param_pi_enable"
else
	note "this kernel has no CONFIG_BLK_DEV_INTEGRITY: no param_pi_enable"
fi
check "link" port_link 1 $NQN
before=$(nvme_blockdevs)
check "connect" nvme connect -t tcp -a 127.0.0.1 -s 4420 -n $NQN
dev=$(wait_new_blockdev "$before")
check "namespace appears" test -b "$dev"
[[ -n $dev ]] || finish
ctrl=${dev%n*}
bs=$(blockdev --getss "$dev")
check "pattern file" sh -c "head -c $bs /dev/urandom >/tmp/pat && head -c $bs /dev/zero >/tmp/zero"
wr() { nvme write "$dev" -s "$1" -c 0 -z "$bs" -d /tmp/pat 2>&1; }
rd() { nvme read "$dev" -s "$1" -c 0 -z "$bs" -d "$2" 2>&1; }

# --- Write Zeroes where the device cannot zero natively -------------------
check "write a pattern at LBA 8..15" sh -c "for l in 8 9 10 11 12 13 14 15; do nvme write $dev -s \$l -c 0 -z $bs -d /tmp/pat || exit 1; done"
check "Write Zeroes of LBA 8..15 succeeds" nvme write-zeroes "$dev" -s 8 -c 7
check "LBA 8..15 read back as zeroes" bash -c "dd if=$dev bs=$bs skip=8 count=8 iflag=direct 2>/dev/null | cmp -s - <(head -c $((8 * bs)) /dev/zero)"
check "BLKZEROOUT through the host's block layer (4 MiB) succeeds" blkdiscard -z -o 0 -l 4194304 "$dev"
check_output "the host still uses Write Zeroes" "^[1-9]" cat "/sys/block/${dev#/dev/}/queue/write_zeroes_max_bytes"

# --- Write Protect ---------------------------------------------------------
check "write before write protection" wr 0
check "Set Features Write Protect (84h) = write protected" nvme set-feature "$ctrl" -n 1 -f 0x84 -V 1
check_output "Write fails with Namespace Is Write Protected (0x20, no DNR)" "\(0x2?020\)" \
	sh -c "$(declare -f wr); dev=$dev bs=$bs; wr 1; true"
check_output "Write Zeroes fails with Namespace Is Write Protected" "\(0x2?020\)" \
	sh -c "nvme write-zeroes $dev -s 1 -c 0 2>&1; true"
check_output "Deallocate fails with Namespace Is Write Protected" "\(0x2?020\)" \
	sh -c "nvme dsm $dev -n 1 -d -s 1 -b 1 2>&1; true"
check_fails "a direct write through the block layer fails" \
	dd if=/tmp/pat of="$dev" bs="$bs" seek=2 count=1 oflag=direct
check "Read still works" rd 0 /tmp/got
check "and returns what was written" cmp /tmp/pat /tmp/got
check "Flush still works" nvme flush "$ctrl" -n 1
check "Set Features Write Protect = no write protect" nvme set-feature "$ctrl" -n 1 -f 0x84 -V 0
check "Write works again" wr 1

# --- ANA group states on this path -----------------------------------------
ana() { echo "$1" >"$PORT/ana_groups/1/ana_state"; }
for st in inaccessible:0x302 persistent-loss:0x301 change:0x303; do
	check "ANA group 1 on port 1 -> ${st%%:*}" ana "${st%%:*}"
	check_output "Write fails with the ANA status ${st#*:} (no DNR)" "\(0x2?${st#*:0x}\)" \
		sh -c "$(declare -f wr); dev=$dev bs=$bs; wr 2; true"
	check_output "Read fails with the ANA status ${st#*:} (no DNR)" "\(0x2?${st#*:0x}\)" \
		sh -c "$(declare -f rd); dev=$dev bs=$bs; rd 0 /tmp/got; true"
done
check "ANA group 1 -> non-optimized" ana non-optimized
check "Write works on a non-optimized path" wr 2
check "ANA group 1 -> optimized" ana optimized
check "Write works on an optimized path" wr 3
check "read back what was written" sh -c "$(declare -f rd); dev=$dev bs=$bs; rd 3 /tmp/got && cmp /tmp/pat /tmp/got"

check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN
check "teardown" target_clear
check "unload" modprobe -r nvme-tcp nvmet-tcp nvmet
finish
