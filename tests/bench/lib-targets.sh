# What every benchmark needs, sourced after lib.sh with TR (trtype) set:
# where the in-tree and our modules are, bench.txt emptied, and loading
# and unloading a target (nvmet and nvmet-$TR from a directory).
# shellcheck shell=bash
kdir=/lib/modules/$(uname -r)
intree=$kdir/kernel/drivers/nvme/target
ours=$kdir/updates/nvmet-oot
out=/lab/out/artifacts/bench.txt
mkdir -p /lab/out/artifacts
: >"$out"

load_target() { # DIR [PARAM...]: insmod nvmet and nvmet-$TR (with PARAMs) from DIR
	modprobe -a configfs nvme-core nvme-auth nvme-keyring 2>/dev/null
	# Our nvmet calls crc32c(), a module of its own on 6.12 (built in on 7.2).
	modprobe -q libcrc32c 2>/dev/null
	[[ $TR == rdma ]] && modprobe -a ib_core rdma_cm
	insmod "$(ls "$1"/nvmet.ko* | head -1)" &&
		insmod "$(ls "$1"/nvmet-$TR.ko* | head -1)" "${@:2}" || return 1
	[[ $TR == fc ]] || return 0
	# The in-tree FC loopback LLD for both targets (it binds to either
	# nvmet-fc through the LLD API): the figures compare the targets only.
	insmod "$(ls "$intree"/nvme-fcloop.ko* | head -1)" && fcloop_add_ports
}
unload_target() {
	if [[ $TR == fc ]]; then
		fcloop_del_ports && rmmod nvme_fcloop || return 1
	fi
	rmmod nvmet_$TR nvmet
}
