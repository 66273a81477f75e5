#!/bin/bash
# Passthru: the guest's emulated PCIe NVMe controller (QEMU's nvme device,
# run-guest adds it for this line:)
# lab: nvme-disk
# exported whole over NVMe/TCP through subsystems/<nqn>/passthru, and the
# kernel's NVMe/TCP host on the other end: configfs refusals (no device, not
# an NVMe controller, a controller exported twice, namespaces beside it,
# attributes that are fixed while enabled), Identify Controller and Namespace
# as the host sees them (the real model and serial, the fabrics fields, the
# target's controller ID and NQN, MDTS, clear_ids), fio write + verify and
# the data read back from the PCIe namespace itself, log pages and features
# forwarded or answered by the target, commands refused (Format, Sanitize,
# reservations, features that mean nothing through a fabric), a namespace
# rescan, enable/disable cycles, disable under load, and the controller
# removed from the PCI bus while exported and I/O runs (then found again).
# The target must not oops. Runs unchanged against the in-tree target and ours.
. ./lib.sh
NQN=nqn.2026-12.org.nvmet-oot:passthru
NQN2=nqn.2026-12.org.nvmet-oot:passthru2
ADDR=127.0.0.1
SVC=4420
S=$NVMET_CFS/subsystems/$NQN
PT=$S/passthru
SMALL=16M BIG=32M
[[ $(uname -r) == *labdbg* ]] && SMALL=4M BIG=8M

. ./lib-passthru.sh
# id_subset DEV: the Identify Controller fields the target sets or passes,
# one per line (compared between the in-tree target and ours; OFCS differs:
# ours has Disconnect, docs/passthru.md).
id_subset() {
	nvme id-ctrl "$1" -o json | python3 -c '
import json, sys
d = json.load(sys.stdin)
for k in ("vid", "ssvid", "sn", "mn", "fr", "rab", "ieee", "cmic", "mdts", "ver", "oacs",
          "acl", "aerl", "frmw", "lpa", "elpe", "kas", "hmpre", "hmmin", "sqes", "cqes",
          "maxcmd", "nn", "oncs", "fuses", "fna", "vwc", "sgls", "subnqn", "ioccsz",
          "iorcsz", "icdoff", "fcatt", "msdbd"):
    print(k, d.get(k))'
}
ns_subset() {
	nvme id-ns "$1" -n 1 -o json | python3 -c '
import json, sys
d = json.load(sys.stdin)
for k in ("nsze", "ncap", "nlbaf", "flbas", "mc", "dpc", "dps", "nguid", "eui64"):
    print(k, d.get(k))
for f in d.get("lbafs", []):
    print("lbaf", f)'
}
# --- the emulated controller ----------------------------------------------

pcie_setup
model=$(sed 's/ *$//' "/sys/class/nvme/$pc/model")
serial=$(sed 's/ *$//' "/sys/class/nvme/$pc/serial")
bdf=$(basename "$(readlink -f "/sys/class/nvme/$pc/device")")
note "PCIe controller $pc at $bdf: model '$model', serial '$serial'"
dev_mdts=$(id_field "/dev/$pc" mdts)
note "its MDTS: $dev_mdts"

# --- configfs -------------------------------------------------------------

check "load nvmet and nvmet-tcp" modprobe nvmet-tcp
check "create subsystem $NQN" subsys_add $NQN
for f in device_path enable admin_timeout io_timeout clear_ids; do
	check "passthru/$f exists" test -f "$PT/$f"
done
check_output "passthru/enable reads 0" '^0$' cat "$PT/enable"
check_output "enable without a device_path: EINVAL" '^EINVAL$' cfs_write "$PT/enable" 1
check_output "device_path /dev/nonexistent accepted (checked at enable)" '^accepted$' \
	cfs_write "$PT/device_path" /dev/nonexistent
check_output "enable: ENOENT" '^ENOENT$' cfs_write "$PT/enable" 1
check_output "device_path /dev/null accepted" '^accepted$' cfs_write "$PT/device_path" /dev/null
check_output "enable with /dev/null (not an NVMe controller): EINVAL" '^EINVAL$' cfs_write "$PT/enable" 1
check_output "passthru/enable still reads 0" '^0$' cat "$PT/enable"

dev=$(backing_loop 16)
check "namespace 1 on $dev, enabled" ns_add $NQN 1 "$dev"
check_output "device_path /dev/$pc" '^accepted$' cfs_write "$PT/device_path" "/dev/$pc"
check_output "enable with an enabled namespace: EINVAL" '^EINVAL$' cfs_write "$PT/enable" 1
check "namespace 1 disabled and removed" bash -c "echo 0 >$S/namespaces/1/enable && rmdir $S/namespaces/1"
losetup -d "$dev"

check_output "admin_timeout 0 round-trips" '^0$' bash -c "echo 0 >$PT/admin_timeout && cat $PT/admin_timeout"
check_output "io_timeout 0 round-trips" '^0$' bash -c "echo 0 >$PT/io_timeout && cat $PT/io_timeout"
# The host has the PCIe namespace too: with its identifiers a second
# namespace of the same IDs in another subsystem is refused by the host.
check_output "clear_ids 1" '^accepted$' cfs_write "$PT/clear_ids" 1
check_output "enable with /dev/$pc" '^accepted$' cfs_write "$PT/enable" 1
check_output "passthru/enable reads 1" '^1$' cat "$PT/enable"
check_output "enable again: EINVAL" '^EINVAL$' cfs_write "$PT/enable" 1
check_output "device_path while enabled: EBUSY" '^EBUSY$' cfs_write "$PT/device_path" /dev/null
check_output "attr_version while enabled: EINVAL" '^EINVAL$' cfs_write "$S/attr_version" 1.3
check "create subsystem $NQN2" subsys_add $NQN2
check_output "$NQN2: device_path /dev/$pc" '^accepted$' \
	cfs_write "$NVMET_CFS/subsystems/$NQN2/passthru/device_path" "/dev/$pc"
check_output "$NQN2: enable the controller exported already: EINVAL" '^EINVAL$' \
	cfs_write "$NVMET_CFS/subsystems/$NQN2/passthru/enable" 1
check "$NQN2 removed" rmdir "$NVMET_CFS/subsystems/$NQN2"
dev=$(backing_loop 16)
mkdir "$S/namespaces/1" && echo -n "$dev" >"$S/namespaces/1/device_path"
# In-tree accepts the write and leaves the namespace disabled; ours refuses it (EBUSY).
note "namespace enable beside passthru: $(cfs_write "$S/namespaces/1/enable" 1)"
check_output "a namespace stays disabled beside passthru" '^0$' cat "$S/namespaces/1/enable"
check "namespace 1 removed" rmdir "$S/namespaces/1"
losetup -d "$dev"

# --- the host: Identify ----------------------------------------------------

check "TCP port 1 on $ADDR:$SVC" port_add 1 tcp ipv4 $ADDR $SVC
check "link $NQN to port 1" port_link 1 $NQN
check "load nvme-tcp (host)" modprobe nvme-tcp
connect "first connect"
check_output "id-ctrl: the real model ($model)" "^$model\$" id_field "/dev/$fctrl" mn
check_output "id-ctrl: the real serial ($serial)" "^$serial\$" id_field "/dev/$fctrl" sn
check_output "id-ctrl: the subsystem's NQN, not the device's" "^$NQN\$" id_field "/dev/$fctrl" subnqn
check_output "id-ctrl: this fabrics controller's ID" "^$(cat "/sys/class/nvme/$fctrl/cntlid")\$" \
	id_field "/dev/$fctrl" cntlid
mdts=$(id_field "/dev/$fctrl" mdts)
check "id-ctrl: MDTS $mdts, not above the device's $dev_mdts" test "$mdts" -gt 0 -a "$mdts" -le "$dev_mdts"
check_output "id-ctrl: IORCSZ of a fabrics controller (1)" '^1$' id_field "/dev/$fctrl" iorcsz
check_output "id-ctrl: IOCCSZ of a fabrics controller (4 and more)" '^([4-9]|[1-9][0-9]+)$' \
	id_field "/dev/$fctrl" ioccsz
check_output "id-ctrl: no reservations (ONCS bit 5 clear)" '^0$' echo $(($(id_field "/dev/$fctrl" oncs) & 0x20))
save_output id-ctrl.txt id_subset "/dev/$fctrl"
save_output id-ns.txt ns_subset "/dev/$fctrl"
save_output ns-descs.txt nvme ns-descs "$bdev"
check_output "id-ns: clear_ids clears EUI64 and NGUID" '^eui64 0+$' grep '^eui64' "$LAB_OUT/artifacts/id-ns.txt"
check_output "id-ns: NGUID cleared" '^nguid 0+$' grep '^nguid' "$LAB_OUT/artifacts/id-ns.txt"
check_output "id-ns: the namespace's size is the device's" "^$(ns_subset "/dev/$pc" | grep '^nsze')\$" \
	grep '^nsze' "$LAB_OUT/artifacts/id-ns.txt"
check_output "Property Get VS: the device's version" "^$(id_field "/dev/$pc" ver)\$" id_field "/dev/$fctrl" ver

# --- I/O -------------------------------------------------------------------

fio_verify pt-4k "$bdev" 4k "$BIG" 32 --rw=randwrite
fio_verify pt-128k "$bdev" 128k "$BIG" 8 --rw=write
fio_verify pt-1m "$bdev" 1M "$BIG" 8 --rw=write
check "what the host wrote is on the PCIe namespace" \
	cmp <(dd if="$bdev" bs=1M count=8 iflag=direct status=none) \
	<(dd if="/dev/${pc}n1" bs=1M count=8 iflag=direct status=none)
check "a write through the PCIe namespace reads back over the fabric" bash -c "
	head -c 1M /dev/urandom >/tmp/pattern &&
	dd if=/tmp/pattern of=/dev/${pc}n1 bs=1M seek=100 oflag=direct status=none &&
	cmp /tmp/pattern <(dd if=$bdev bs=1M skip=100 count=1 iflag=direct status=none)"
check "flush" nvme flush "$bdev" -n 1
check "write zeroes of 8 blocks" nvme write-zeroes "$bdev" -n 1 -s 0 -c 7
check "dataset management (deallocate)" nvme dsm "$bdev" -n 1 -d -s 8 -b 8

# --- admin commands: forwarded or answered -----------------------------------

check "get-log: SMART / health (02h, the device's)" nvme smart-log "/dev/$fctrl"
check "get-log: error information (01h)" nvme error-log "/dev/$fctrl" -e 4
check "get-log: firmware slots (03h)" nvme fw-log "/dev/$fctrl"
# QEMU's log lists Doorbell Buffer Config (7Ch), which no fabrics target has.
save_output effects-log.txt nvme effects-log "/dev/$fctrl"
check_output "the effects log is the device's" 'Doorbell Buffer Config' cat "$LAB_OUT/artifacts/effects-log.txt"
check_output "get-feature 07h (number of queues: the target's)" 'Current value' \
	nvme get-feature "/dev/$fctrl" -f 0x7
check_output "get-feature 0Fh (KATO: the target's)" 'Current value' nvme get-feature "/dev/$fctrl" -f 0xf
check_output "get-feature 0Bh (async events: the target's)" 'Current value' nvme get-feature "/dev/$fctrl" -f 0xb
check_output "get-feature 06h (volatile write cache: the device's)" \
	"$(nvme get-feature "/dev/$pc" -f 0x6 2>&1 | grep -o 'Current value:.*')" \
	nvme get-feature "/dev/$fctrl" -f 0x6
check "set-feature 04h (temperature threshold 0x150) through the fabric" \
	nvme set-feature "/dev/$fctrl" -f 0x4 -V 0x150
check_output "the device has it (get-feature 04h on the PCIe controller)" '0x0*150' \
	nvme get-feature "/dev/$pc" -f 0x4
check_output "get-feature 04h through the fabric" '0x0*150' nvme get-feature "/dev/$fctrl" -f 0x4
# Timestamp: 8 bytes of data from the device (a clock: not compared).
check_output "get-feature 0Eh (timestamp, 8 bytes from the device)" '^0000: ([0-9a-f]{2} ){8} ' \
	nvme get-feature "/dev/$fctrl" -f 0xe
check_refused "format (80h): not forwarded" nvme format "/dev/$fctrl" -n 1 -f
check_refused "sanitize (84h): not forwarded" nvme sanitize "/dev/$fctrl" -a 2
check_refused "reservation register: refused" nvme resv-register "$bdev" -n 1 --nrkey=1 --rrega=0
check_refused "get-feature 0Dh (host memory buffer): refused" nvme get-feature "/dev/$fctrl" -f 0xd
check "ns-rescan on the host" nvme ns-rescan "/dev/$fctrl"
sleep 2
check "after the rescan the namespace is there ($bdev)" test -b "$bdev"
fio_verify pt-after-rescan "$bdev" 4k "$SMALL" 16 --rw=randwrite
check "host disconnected" disconnect

# --- enable/disable cycles ---------------------------------------------------

for i in 1 2 3; do
	check "cycle $i: disable" bash -c "echo 0 >$PT/enable"
	check_output "cycle $i: enable reads 0" '^0$' cat "$PT/enable"
	check "cycle $i: enable" bash -c "echo 1 >$PT/enable"
	connect "cycle $i"
	fio_verify "pt-cycle$i" "$bdev" 4k "$SMALL" 16 --rw=randwrite
	disconnect
done

# Disabled under load: the target's controllers go, the commands at the
# device finish; then it serves again.
connect "before disable under load"
fio --name=load --filename="$bdev" --ioengine=libaio --direct=1 --rw=randwrite --bs=4k \
	--size="$BIG" --iodepth=16 --time_based --runtime=20 --output-format=terse \
	>/tmp/fio-load.log 2>&1 &
fpid=$!
sleep 3
check "disable under load returns within 60 s" timeout 60 bash -c "echo 0 >$PT/enable"
kill "$fpid" 2>/dev/null
wait "$fpid" 2>/dev/null
disconnect
check "enable again" bash -c "echo 1 >$PT/enable"
connect "after disable under load"
fio_verify pt-after-disable "$bdev" 4k "$SMALL" 16 --rw=randwrite

# --- the controller removed while exported -----------------------------------

fio --name=unplug --filename="$bdev" --ioengine=libaio --direct=1 --rw=randwrite --bs=4k \
	--size="$BIG" --iodepth=16 --time_based --runtime=30 --output-format=terse \
	>/tmp/fio-unplug.log 2>&1 &
fpid=$!
sleep 3
check "remove $bdf from the PCI bus under load" timeout 60 bash -c "echo 1 >/sys/bus/pci/devices/$bdf/remove"
check "the PCIe controller is gone" wait_for 20 bash -c "! test -e /sys/class/nvme/$pc || [[ \$(cat /sys/class/nvme/$pc/transport) != pcie ]]"
sleep 3
note "id-ctrl over the fabric after the removal: $(timeout 30 nvme id-ctrl "/dev/$fctrl" 2>&1 | head -1)"
kill "$fpid" 2>/dev/null
wait "$fpid" 2>/dev/null
check "disable after the removal returns within 60 s" timeout 60 bash -c "echo 0 >$PT/enable"
check_output "passthru/enable reads 0" '^0$' cat "$PT/enable"
disconnect
check "rescan the PCI bus" bash -c "echo 1 >/sys/bus/pci/rescan"
wait_for 60 pcie_live
pc=$(pcie_ctrl)
check "the controller is back ($pc)" test -c "/dev/$pc"
check_output "device_path /dev/$pc" '^accepted$' cfs_write "$PT/device_path" "/dev/$pc"
check "enable with the controller found again" bash -c "echo 1 >$PT/enable"
connect "after the removal"
fio_verify pt-after-unplug "$bdev" 4k "$SMALL" 16 --rw=randwrite
disconnect

# --- nvmetcli's JSON -------------------------------------------------------------

check "nvmetcli save" nvmetcli save /tmp/pt.json
save_output nvmetcli-passthru.json python3 -c '
import json
for s in json.load(open("/tmp/pt.json"))["subsystems"]:
    print(json.dumps(s.get("passthru"), sort_keys=True))'
check "nvmetcli clear (the passthru subsystem goes, enabled)" nvmetcli clear
check "nvmetcli restore" nvmetcli restore /tmp/pt.json
check_output "restored: device_path" "^/dev/$pc\$" cat "$PT/device_path"
check_output "restored: clear_ids" '^1$' cat "$PT/clear_ids"
check_output "restored: not enabled (nvmetcli saves no enable)" '^0$' cat "$PT/enable"
check "enable the restored passthru" bash -c "echo 1 >$PT/enable"
connect "after nvmetcli restore"
fio_verify pt-restored "$bdev" 4k "$SMALL" 16 --rw=randwrite
disconnect

# --- teardown ----------------------------------------------------------------

passthru_teardown
finish
