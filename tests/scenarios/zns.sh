#!/bin/bash
# Zoned namespaces (docs/zns.md): a zoned null_blk (16 zones of 16 MiB,
# 4 KiB blocks, no conventional zone) exported over TCP is a namespace of the
# Zoned Namespace command set (CSI 2); the kernel host sees a host-managed
# zoned block device. Identify (CNS 05h/06h CSI 2, the CSI descriptor, the
# namespace list by CSI), the effects log for CSI 2, Report Zones (filter,
# partial report, bad fields), writes at and off the write pointer, Zone
# Append and the LBA it returns, zone open/close/finish/reset one by one and
# with Select All, Offline, Write Protect on zone commands, the host's block
# layer view (BLKREPORTZONE: zone_report.py) and fio in zonemode=zbd with
# crc32c verify. Before that, what both targets refuse (EINVAL): a device
# with a conventional zone, one with a smaller last zone, one that appends
# less than the subsystem's first zoned namespace; and a zoned device with
# buffered_io, which ours refuses and in-tree exports as an NVM namespace.
# The host runs on direct paths (nvme_core multipath=N). Statuses are matched
# with DNR (0x4000) and either value of the More bit (0x2000).
. ./lib.sh
NQN=nqn.2026-12.org.nvmet-oot:zns
NULLB=/sys/kernel/config/nullb
ZONE_MB=16
ZONE_LBAS=$((ZONE_MB * 1024 * 1024 / 4096))
# fio: zbd needs at least one zone; the debug kernel gets less of it.
BIG=64M RBS=4k
[[ $(uname -r) == *labdbg* ]] && BIG=16M RBS=16k

# nullb_add NAME [ATTR=VALUE...]: a memory-backed zoned null_blk, 256 MiB
# in 16 MiB zones of 4 KiB blocks unless the attributes say otherwise.
nullb_add() {
	local d=$NULLB/$1 a
	shift
	mkdir "$d" || return 1
	for a in zoned=1 zone_size=$ZONE_MB size=256 memory_backed=1 blocksize=4096 \
		zone_nr_conv=0 "$@" power=1; do
		echo "${a#*=}" >"$d/${a%%=*}" || { echo "cannot set $a"; return 1; }
	done
	wait_for 10 test -b "/dev/$(basename "$d")"
}
nullb_del() { echo 0 >"$NULLB/$1/power" && rmdir "$NULLB/$1"; }
# The in-tree target of Linux 6.12 has no CNS 07h (Invalid Field) and fails
# a Zone Append beyond the device's limit with Internal Error (no DNR); ours
# answers as 7.2's in-tree target on every kernel (docs/zns.md).
intree_612() { ! target_is_ours && [[ $(uname -r) == 6.* ]]; }

# refused NQN NSID DEVICE WHY [ATTR=VALUE...]: enabling namespace NSID on
# DEVICE fails with EINVAL and leaves it disabled; ours also logs a line
# matching WHY (in-tree logs no reason).
refused() {
	local nqn=$1 nsid=$2 d=$NVMET_CFS/subsystems/$1/namespaces/$2 dev=$3 why=$4 a err n
	shift 4
	mkdir -p "$d" && echo -n "$dev" >"$d/device_path" || return 1
	for a in "$@"; do echo "${a#*=}" >"$d/${a%%=*}" || return 1; done
	n=$(dmesg | wc -l)
	if err=$(echo 1 2>&1 >"$d/enable"); then
		echo "enabled"
		return 1
	fi
	echo "$err"
	[[ $err == *"Invalid argument"* && $(cat "$d/enable") == 0 ]] || return 1
	if target_is_ours; then
		dmesg | tail -n +$((n + 1)) | grep -E "namespace $nsid of $nqn: .*$why" ||
			{ dmesg | tail -5; return 1; }
	fi
}

check "direct paths (nvme_core multipath=N)" sh -c \
	'modprobe -r nvme-tcp nvme-fabrics nvme nvme-core 2>/dev/null; modprobe nvme-core multipath=N &&
	 grep -qx N /sys/module/nvme_core/parameters/multipath'
check "load" modprobe -a nvmet nvmet-tcp nvme-tcp
check "load null_blk (configfs devices only)" modprobe null_blk nr_devices=0
check "zoned null_blk zns0: 16 zones of 16 MiB, at most 4 open, appends 64 KiB" \
	nullb_add zns0 zone_max_open=4 zone_append_max_sectors=128
check_output "zns0 is host-managed" "^host-managed$" cat /sys/block/zns0/queue/zoned

# --- what the Zoned Namespace command set cannot describe -----------------
check "null_blk conv0: one conventional zone" nullb_add conv0 zone_nr_conv=1
check "null_blk short0: 200 MiB, a smaller last zone" nullb_add short0 size=200
check "null_blk app0: appends at most 32 KiB" nullb_add app0 zone_append_max_sectors=64
for s in conv short zasl buffered; do
	check "subsystem $NQN-$s" subsys_add $NQN-$s
done
check "a device with a conventional zone is refused (EINVAL)" \
	refused $NQN-conv 1 /dev/conv0 "conventional zones"
check "a device with a smaller last zone is refused (EINVAL)" \
	refused $NQN-short 1 /dev/short0 "last zone smaller"
check "namespace 1 on zns0 (appends 64 KiB)" ns_add $NQN-zasl 1 /dev/zns0
check "a zoned namespace that appends less than the subsystem's first is refused (EINVAL)" \
	refused $NQN-zasl 2 /dev/app0 "appends at most 32 KiB"
# The file backend cannot keep a zone's writes in order: ours refuses it, the
# in-tree target exports the device as an NVM namespace (docs/zns.md).
if target_is_ours; then
	check "a zoned device with buffered_io: refused by ours (EINVAL), exported as NVM by in-tree" \
		refused $NQN-buffered 1 /dev/zns0 "buffered_io" buffered_io=1
else
	check "a zoned device with buffered_io: refused by ours (EINVAL), exported as NVM by in-tree" \
		sh -c "d=$NVMET_CFS/subsystems/$NQN-buffered/namespaces/1; mkdir \$d &&
		echo -n /dev/zns0 >\$d/device_path && echo 1 >\$d/buffered_io && echo 1 >\$d/enable"
fi
check "remove the refusals' subsystems" target_clear
for b in conv0 short0 app0; do
	check "remove $b" nullb_del $b
done

# --- a zoned namespace over TCP --------------------------------------------
check "subsystem" subsys_add $NQN
check "namespace 1 on zns0" ns_add $NQN 1 /dev/zns0
check "port" port_add 1 tcp ipv4 127.0.0.1 4420
check "link" port_link 1 $NQN
before=$(nvme_blockdevs)
check "connect" nvme connect -t tcp -a 127.0.0.1 -s 4420 -n $NQN
dev=$(wait_new_blockdev "$before")
check "namespace appears ($dev)" test -b "$dev"
[[ -n $dev ]] || finish
ctrl=${dev%n*}
q=/sys/block/${dev#/dev/}/queue
check_output "the host sees a host-managed zoned device" "^host-managed$" cat $q/zoned
check_output "with 16 zones" "^16$" cat $q/nr_zones
check_output "of 16 MiB (chunk_sectors)" "^$((ZONE_MB * 2048))$" cat $q/chunk_sectors
check_output "at most 4 open zones" "^4$" cat $q/max_open_zones

check_output "ns-descs: CSI 2" '"csi" *: *"?(0x)?2"?$' nvme ns-descs "$dev" -o json
if intree_612; then
	check_output "list-ns --csi=2 lists namespace 1 (in-tree 6.12: CNS 07h is an Invalid Field)" \
		"\(0x[46]002\)" sh -c "nvme list-ns $ctrl --csi=2 2>&1; true"
else
	check_output "list-ns --csi=2 lists namespace 1 (in-tree 6.12: CNS 07h is an Invalid Field)" \
		"^\[ *0\]:0x1$" nvme list-ns "$ctrl" --csi=2
fi
check_fails "list-ns --csi=0 lists no namespace" sh -c "nvme list-ns $ctrl --csi=0 | grep -q ':0x1$'"
check_output "zns id-ns: zone size $ZONE_LBAS blocks" "\"zsze\" *: *$ZONE_LBAS\b" \
	nvme zns id-ns "$dev" -o json
check_output "zns id-ns: MOR 3 (4 open zones, 0's based)" '"mor" *: *3\b' nvme zns id-ns "$dev" -o json
check_output "zns id-ns: MAR unlimited (FFFFFFFFh)" '"mar" *: *4294967295\b' \
	nvme zns id-ns "$dev" -o json
check_output "zns id-ctrl: a Zone Append Size Limit" '"zasl" *: *[1-9]' nvme zns id-ctrl "$dev" -o json
check_output "effects log of CSI 2 lists Zone Append" "Zone Append" nvme effects-log "$ctrl" --csi=2
check_output "effects log of CSI 2 lists Zone Management Receive" "Zone Management Receive" \
	nvme effects-log "$ctrl" --csi=2
check_output "CNS 05h with CSI 1 is an Invalid Field" "\(0x[46]002\)" \
	sh -c "nvme admin-passthru $ctrl --opcode=6 -n 1 --cdw10=5 --cdw11=$((1 << 24)) -l 4096 -r 2>&1; true"

# Zone Management Receive through io-passthru: SLBA LEN ZRASF PR [ZRA]; the
# raw report on stdout.
zmr() {
	nvme io-passthru "$dev" -n 1 --opcode=0x7a --cdw10=$(($1 & 0xffffffff)) --cdw11=$(($1 >> 32)) \
		--cdw12=$(($2 / 4 - 1)) --cdw13=$((${5:-0} | $3 << 8 | $4 << 16)) -l "$2" -r -b
}
# nr_zones SLBA LEN ZRASF PR: the report header's zone count.
nr_zones() { zmr "$@" | od -An -t u8 -N 8 | tr -d ' '; }
# zone_state N: the state (ZS, hex) of zone N from its descriptor.
zone_state() {
	zmr $(($1 * ZONE_LBAS)) 128 0 1 | od -An -t x1 -j 65 -N 1 | tr -d ' '
}
# zone_wp N: zone N's write pointer, relative to the zone's start.
zone_wp() {
	echo $(($(zmr $(($1 * ZONE_LBAS)) 128 0 1 | od -An -t u8 -j 88 -N 8) - $1 * ZONE_LBAS))
}
export -f zmr nr_zones zone_state zone_wp
export dev ZONE_LBAS

check "reset every zone (Select All)" nvme zns reset-zone "$dev" -a
check_output "report zones: 16, all empty" "^16$" nr_zones 0 4096 0 0
check_output "nvme zns report-zones decodes 16 zones" "^nr_zones: 16" nvme zns report-zones "$dev"
check_output "filter Empty (ZRASF 1): 16" "^16$" nr_zones 0 4096 1 0
check_output "filter Full (ZRASF 5): 0" "^0$" nr_zones 0 4096 5 0
check_output "from zone 3's second block: 13 zones" "^13$" nr_zones $((3 * ZONE_LBAS + 1)) 4096 0 0
check_output "a buffer of 2 descriptors, no Partial Report: still counts 16" "^16$" nr_zones 0 192 0 0
check_output "with Partial Report: counts the 2 it holds" "^2$" nr_zones 0 192 0 1
check_output "a buffer smaller than the header is an Invalid Field" "\(0x[46]002\)" \
	bash -c "zmr 0 32 0 0 2>&1 >/dev/null; true"
check_output "Extended Report Zones is an Invalid Field (no zone descriptor extensions)" \
	"\(0x[46]002\)" bash -c "zmr 0 4096 0 0 1 2>&1 >/dev/null; true"
check_output "a reserved ZRASF (8) is an Invalid Field" "\(0x[46]002\)" \
	bash -c "zmr 0 4096 8 0 2>&1 >/dev/null; true"
check_output "a reserved Partial Report bit is an Invalid Field" "\(0x[46]002\)" \
	bash -c "zmr 0 4096 0 2 2>&1 >/dev/null; true"
check_output "SLBA beyond the namespace is an LBA Out of Range" "\(0x[46]080\)" \
	bash -c "zmr $((16 * ZONE_LBAS)) 4096 0 0 2>&1 >/dev/null; true"

# --- writes and Zone Append --------------------------------------------------
check "pattern files" sh -c "head -c 4096 /dev/urandom >/tmp/pat && head -c 4096 /dev/urandom >/tmp/pat2 &&
	head -c 16384 /dev/urandom >/tmp/pat16"
check "write LBA 0: at zone 0's write pointer" nvme write "$dev" -s 0 -c 0 -z 4096 -d /tmp/pat
check_output "zone 0: write pointer 1, implicitly open" "^1 20$" bash -c 'echo $(zone_wp 0) $(zone_state 0)'
check_output "write LBA 5: off the write pointer, fails as from in-tree" "\(0x[46]006\)" \
	sh -c "nvme write $dev -s 5 -c 0 -z 4096 -d /tmp/pat 2>&1; true"
check_output "zone 0's write pointer did not move" "^1$" zone_wp 0
check_output "zone append to zone 0 writes LBA 1 (the result)" "LBA (0x)?0*1$" \
	nvme zns zone-append "$dev" -s 0 -z 4096 -d /tmp/pat2
check_output "the next zone append writes LBA 2" "LBA (0x)?0*2$" \
	nvme zns zone-append "$dev" -s 0 -z 4096 -d /tmp/pat
check "LBA 1 holds the first appended data" sh -c \
	"nvme read $dev -s 1 -c 0 -z 4096 -d /tmp/got >/dev/null && cmp /tmp/got /tmp/pat2"
check_output "zone append of 16 KiB to zone 1 writes LBA $ZONE_LBAS" "LBA (0x)?0*$(printf %x $ZONE_LBAS)$" \
	nvme zns zone-append "$dev" -s $ZONE_LBAS -z 16384 -d /tmp/pat16
check "and reads back" sh -c \
	"nvme read $dev -s $ZONE_LBAS -c 3 -z 16384 -d /tmp/got16 >/dev/null && cmp /tmp/got16 /tmp/pat16"
check_output "zone append at an SLBA that starts no zone is an Invalid Field" "\(0x[46]002\)" \
	sh -c "nvme zns zone-append $dev -s 1 -z 4096 -d /tmp/pat 2>&1; true"
zasl=$(nvme zns id-ctrl "$dev" -o json | sed -nE 's/.*"zasl" *: *([0-9]+).*/\1/p')
big=$((4096 << (zasl + 1)))
check "a file of twice ZASL ($big bytes)" sh -c "head -c $big /dev/urandom >/tmp/big"
st="\(0x[46]002\)"
intree_612 && st="\(0x(200)?6\)"
check_output "zone append of twice ZASL is an Invalid Field (in-tree 6.12: Internal Error)" "$st" \
	sh -c "nvme zns zone-append $dev -s $((2 * ZONE_LBAS)) -z $big -d /tmp/big 2>&1; true"
check_output "zone 2 is still empty" "^0 10$" bash -c 'echo $(zone_wp 2) $(zone_state 2)'

# --- zone management ---------------------------------------------------------
check "open zone 3" nvme zns open-zone "$dev" -s $((3 * ZONE_LBAS))
check_output "zone 3 is explicitly open" "^30$" zone_state 3
check "write to zone 3" nvme write "$dev" -s $((3 * ZONE_LBAS)) -c 0 -z 4096 -d /tmp/pat
check "close zone 3" nvme zns close-zone "$dev" -s $((3 * ZONE_LBAS))
check_output "zone 3 is closed" "^40$" zone_state 3
check "finish zone 3" nvme zns finish-zone "$dev" -s $((3 * ZONE_LBAS))
check_output "zone 3 is full" "^e0$" zone_state 3
check_output "filter Full (ZRASF 5): 1" "^1$" nr_zones 0 4096 5 0
check_output "opening a full zone is an Invalid Zone State Transition" "\(0x[46]1bf\)" \
	sh -c "nvme zns open-zone $dev -s $((3 * ZONE_LBAS)) 2>&1; true"
check_output "a write to a full zone fails as from in-tree" "\(0x[46]006\)" \
	sh -c "nvme write $dev -s $((3 * ZONE_LBAS + 1)) -c 0 -z 4096 -d /tmp/pat 2>&1; true"
check "reset zone 3" nvme zns reset-zone "$dev" -s $((3 * ZONE_LBAS))
check_output "zone 3 is empty again" "^0 10$" bash -c 'echo $(zone_wp 3) $(zone_state 3)'
check_output "offline is an Invalid Zone State Transition (no zone is read-only)" "\(0x[46]1bf\)" \
	sh -c "nvme zns offline-zone $dev -s 0 2>&1; true"
check_output "an SLBA that starts no zone is an Invalid Field" "\(0x[46]002\)" \
	sh -c "nvme zns open-zone $dev -s 1 2>&1; true"
check_output "an SLBA beyond the namespace is an LBA Out of Range" "\(0x[46]080\)" \
	sh -c "nvme zns open-zone $dev -s $((16 * ZONE_LBAS)) 2>&1; true"
check "open zones 4 and 5, write zone 6" sh -c "nvme zns open-zone $dev -s $((4 * ZONE_LBAS)) &&
	nvme zns open-zone $dev -s $((5 * ZONE_LBAS)) &&
	nvme write $dev -s $((6 * ZONE_LBAS)) -c 0 -z 4096 -d /tmp/pat"
check "close all open zones (Select All)" nvme zns close-zone "$dev" -a
check_output "no zone is open (ZRASF 2 and 3)" "^0 0$" bash -c 'echo $(nr_zones 0 4096 2 0) $(nr_zones 0 4096 3 0)'
check_output "zones 0, 1 and 6 are closed" "^3$" nr_zones 0 4096 4 0
check "open all closed zones (Select All)" nvme zns open-zone "$dev" -a
check_output "3 zones are explicitly open" "^3$" nr_zones 0 4096 3 0
check "finish all open and closed zones (Select All)" nvme zns finish-zone "$dev" -a
check_output "3 zones are full" "^3$" nr_zones 0 4096 5 0
check "reset all zones (Select All)" nvme zns reset-zone "$dev" -a
check_output "16 zones are empty" "^16$" nr_zones 0 4096 1 0

# --- Write Protect on zone commands ------------------------------------------
check "Write Protect (Set Features 84h)" nvme set-feature "$ctrl" -n 1 -f 0x84 -V 1
check_output "zone append fails with Namespace Is Write Protected" "\(0x2?020\)" \
	sh -c "nvme zns zone-append $dev -s 0 -z 4096 -d /tmp/pat 2>&1; true"
check_output "zone reset fails with Namespace Is Write Protected" "\(0x2?020\)" \
	sh -c "nvme zns reset-zone $dev -s 0 2>&1; true"
check "no write protect" nvme set-feature "$ctrl" -n 1 -f 0x84 -V 0

# --- the host's block layer and fio ------------------------------------------
check "a write through the host's block layer at zone 0's start" \
	dd if=/tmp/pat of="$dev" bs=4096 count=1 oflag=direct
check_output "the host's zone report (BLKREPORTZONE): 16 zones" "^zones: 16$" ./zone_report.py "$dev"
check_output "zone 0's write pointer is 8 sectors" "^start: 0x0, len 0x$(printf %x $((ZONE_MB * 2048))), wptr 0x8, type 2, cond oi" \
	./zone_report.py "$dev" 0 1
check "reset zone 0" nvme zns reset-zone "$dev" -s 0
check "fio zonemode=zbd: 64k sequential writes + crc32c verify, QD4" \
	fio --name=zbd --filename="$dev" --ioengine=libaio --direct=1 --zonemode=zbd \
	--rw=write --bs=64k --offset=$((2 * ZONE_MB))M --size=$BIG --iodepth=4 \
	--verify=crc32c --do_verify=1 --verify_fatal=1 --output-format=terse
check "fio zonemode=zbd: $RBS random-zone writes + verify, QD8" \
	fio --name=zbd4k --filename="$dev" --ioengine=libaio --direct=1 --zonemode=zbd \
	--rw=randwrite --bs=$RBS --offset=$((8 * ZONE_MB))M --size=$((2 * ZONE_MB))M --iodepth=8 \
	--max_open_zones=2 --verify=crc32c --do_verify=1 --verify_fatal=1 --output-format=terse

check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN
check "teardown" target_clear
check "remove zns0" nullb_del zns0
check "unload" modprobe -r nvme-tcp nvmet-tcp nvmet null_blk
finish
