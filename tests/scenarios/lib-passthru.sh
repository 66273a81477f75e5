# The passthru scenarios' helpers (sourced by passthru.sh and
# passthru-admin.sh after lib.sh, with NQN, ADDR and SVC set): the
# emulated PCIe controller, the host's fabrics controller of NQN, connect
# and disconnect over NVMe/TCP, a refused command.
# shellcheck shell=bash
# pcie_ctrl: the controller of the PCIe transport (the emulated one), e.g. nvme0.
pcie_ctrl() {
	local c
	for c in /sys/class/nvme/nvme*; do
		[[ $(cat "$c/transport" 2>/dev/null) == pcie ]] && { basename "$c"; return 0; }
	done
	return 1
}
# pcie_live: the PCIe controller is there and live (its character device
# opens only then; a slow kernel takes seconds after it appears).
pcie_live() {
	local c
	c=$(pcie_ctrl) && [[ $(cat "/sys/class/nvme/$c/state" 2>/dev/null) == live ]]
}
# pcie_setup: loads the PCIe driver and waits for the emulated controller
# and its namespace; sets pc (e.g. nvme0).
pcie_setup() {
	check "load the PCIe NVMe driver (nvme)" modprobe nvme
	wait_for 60 pcie_live
	pc=$(pcie_ctrl)
	check "the emulated controller is there ($pc)" test -c "/dev/$pc"
	wait_for 20 test -b "/dev/${pc}n1"
	check "its namespace is there (/dev/${pc}n1)" test -b "/dev/${pc}n1"
}
# fabrics_ctrl: the host's controller of NQN over TCP, e.g. nvme1.
fabrics_ctrl() {
	local c
	for c in /sys/class/nvme/nvme*; do
		[[ $(cat "$c/transport" 2>/dev/null) == tcp &&
		   $(cat "$c/subsysnqn" 2>/dev/null) == "$NQN" ]] && { basename "$c"; return 0; }
	done
	return 1
}
# id_field DEV FIELD: one field of nvme id-ctrl's JSON.
id_field() { nvme id-ctrl "$1" -o json | python3 -c "import json,sys; print(str(json.load(sys.stdin)['$2']).strip())"; }
connect() {
	local before
	before=$(nvme_blockdevs)
	check "connect the kernel host ($1)" \
		nvme connect -t tcp -a $ADDR -s $SVC -n $NQN
	bdev=$(wait_new_blockdev "$before")
	fctrl=$(fabrics_ctrl)
	check "$1: the namespace appears on the host ($bdev, controller $fctrl)" test -b "$bdev"
}
disconnect() {
	nvme disconnect -n $NQN >/dev/null 2>&1
	wait_for 20 bash -c "! grep -qx $NQN /sys/class/nvme/*/subsysnqn 2>/dev/null"
}
# check_refused WHAT CMD...: CMD fails with Invalid Command Opcode.
check_refused() {
	local what=$1 rc=0 outf
	shift
	outf=$(mktemp)
	"$@" </dev/null >"$outf" 2>&1 && rc=1
	grep -qiE 'Invalid Command Opcode|INVALID_OPCODE' "$outf" || rc=1
	_lab_result $rc "$what" "$outf"
	rm -f "$outf"
}
# passthru_teardown: disables passthru (PT), clears the target and unloads
# the host, target and PCIe drivers.
passthru_teardown() {
	check "disable" bash -c "echo 0 >$PT/enable"
	check "target teardown through configfs" target_clear
	check "unload nvme-tcp" modprobe -r nvme-tcp
	check "unload nvmet-tcp and nvmet" modprobe -r nvmet-tcp nvmet
	check "unload nvme (PCIe)" modprobe -r nvme
}
