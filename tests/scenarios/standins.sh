#!/bin/bash
# Our stand-in modules (kernel/modules.list kinds "standin" and "api"), installed in
# updates/ by the harness, shadow the in-tree modules of the same name and refuse
# to load with a message that says why and what to do. Run with --mode ours.
. ./lib.sh
standins=$(sed -e 's/#.*//' modules.list | awk '$2 == "standin" { print $1 }')
check "modules.list names stand-ins" test -n "$standins"
for m in $standins; do
	check_output "modprobe resolves $m to our copy in updates/" "/updates/" \
		modinfo -F filename "$m"
	check_output "$m carries our MODULE_VERSION" "^$(cat VERSION)\$" modinfo -F version "$m"
	check_fails "$m refuses to load" modprobe "$m"
	check_output "$m says why in the kernel log" "${m//-/_}: .* is not provided by nvmet-oot" dmesg
	check "$m is not loaded" bash -c "! grep -q '^${m//-/_} ' /proc/modules"
done
# Stand-ins of kind "api" (nvmet-fc) load, because other in-tree modules
# import their symbols (module-deps loads those), and refuse to serve.
apis=$(sed -e 's/#.*//' modules.list | awk '$2 == "api" { print $1 }')
for m in $apis; do
	check_output "modprobe resolves $m to our copy in updates/" "/updates/" \
		modinfo -F filename "$m"
	check "$m loads" modprobe "$m"
	check_output "$m is ours (version $(cat VERSION))" "^$(cat VERSION)\$" \
		cat "/sys/module/${m//-/_}/version"
	check_output "$m says what it does not provide in the kernel log" \
		"${m//-/_}: .*target ports are refused: nvmet-oot .* does not provide" dmesg
	check "$m loaded nothing of the nvmet-oot core" bash -c "! grep -q '^nvmet ' /proc/modules"
	check "$m unloads" modprobe -r "$m"
done
check_output "nvmet-fc exports the NVMe/FC target LLD API" "nvmet_fc_register_targetport" \
	bash -c "modprobe nvmet-fc && grep -w nvmet_fc /proc/kallsyms; modprobe -r nvmet-fc"
# trtype loop (254) through the nvmet-transport-254 alias: our nvme-loop
# (kernel/loop.c) where the build had the NVMe host's internal headers;
# built without them it is a stand-in whose message names what to install
# (docs/compat.md). Either way the in-tree nvme-loop never loads. Leave
# nothing loaded: the harness runs several scenarios in one boot.
check_output "modprobe resolves nvme-loop to our copy in updates/" "/updates/" \
	modinfo -F filename nvme-loop
if modinfo -F description nvme-loop | grep -q 'stand-in'; then
	note "nvme-loop was built without the NVMe host's internal headers: a stand-in"
	check_fails "trtype loop refuses through the nvmet-transport-254 alias" modprobe nvmet-transport-254
	check_output "nvme-loop says what to install in the kernel log" \
		"nvme_loop: nvmet-oot .* was built without .*install" dmesg
	check "nvme-loop is not loaded" bash -c "! grep -q '^nvme_loop ' /proc/modules"
else
	check "trtype loop loads our nvme-loop through the nvmet-transport-254 alias" \
		bash -c "modprobe nvmet-transport-254 && grep -qx '$(cat VERSION)' /sys/module/nvme_loop/version"
	check "nvme-loop and nvmet unload" modprobe -r nvme-loop nvmet
fi
check "trtype rdma loads our nvmet-rdma through the nvmet-transport-1 alias" \
	bash -c "modprobe nvmet-transport-1 && grep -qx '$(cat VERSION)' /sys/module/nvmet_rdma/version"
check "nvmet-rdma and nvmet unload" modprobe -r nvmet-rdma nvmet
finish
