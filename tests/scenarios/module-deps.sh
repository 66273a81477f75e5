#!/bin/bash
# Installing us must not stop any other module of the kernel from loading.
# From the kernel's own module dependencies (modules.dep.full: depmod's view of
# the whole, unpruned module tree, saved by tests/vm/build-guest), every module
# outside our set that depends on a module name we ship (kernel/modules.list)
# is loaded with our modules installed: it must load, bind to our module of
# that name, and leave no "Unknown symbol" or symbol-version complaint (the
# 6.12 kernel has MODVERSIONS and checks every imported CRC). Then it is
# unloaded again. Run with --mode ours.
. ./lib.sh
kdir=/lib/modules/$(uname -r)
full=$kdir/modules.dep.full
check "the kernel's unpruned modules.dep is in the guest" test -s "$full"
shipped=$(sed -e 's/#.*//' modules.list | awk 'NF && $2 != "wip" { print $1 }')

# Lines "module: deps..." whose module is not ours and whose deps name one of ours.
dependents=$(awk -v names="$(tr '\n' ' ' <<<"$shipped")" '
	function base(p,  n, a) { n = split(p, a, "/"); sub(/\.ko(\.[a-z]+)?$/, "", a[n]); gsub("_", "-", a[n]); return a[n] }
	BEGIN { split(names, l, " "); for (i in l) ours[l[i]] = 1 }
	{
		sub(":", "", $1)
		if (base($1) in ours) next
		via = ""
		for (i = 2; i <= NF; i++) if (base($i) in ours) via = via (via ? "," : "") base($i)
		if (via != "") print base($1), via
	}' "$full")
note "modules of $(uname -r) that depend on a module name we ship:"
while read -r m via; do note "  $m (needs $via)"; done <<<"$dependents"
# lpfc imports nvmet-fc's LLD API on every Debian kernel: where the kernel
# ships lpfc and the list above misses it, the computation is wrong. (The
# lab's debug kernel builds 44 modules, lpfc not among them.)
if grep -q '/lpfc\.ko' "$full"; then
	check_output "the dependents include lpfc (imports nvmet-fc)" "^lpfc nvmet-fc" echo "$dependents"
else
	note "this kernel ships no lpfc"
fi

while read -r m via; do
	[[ -n $m ]] || continue
	mark="module-deps: $m"
	echo "$mark" >/dev/kmsg
	check "modprobe $m with our modules installed" modprobe "$m"
	# modules.dep.full lists what the in-tree modules need in turn (nvmet
	# behind nvmet-fc); what $m itself imports from is modinfo's depends.
	direct=$(modinfo -F depends "$m" | tr ',' '\n' | tr '_' '-' | grep -xF "$shipped")
	check "$m imports from a module we ship (${direct//$'\n'/,})" test -n "$direct"
	for o in $direct; do
		check_output "$m bound to our $o (version $(cat VERSION))" "^$(cat VERSION)\$" \
			cat "/sys/module/${o//-/_}/version"
	done
	check "no unresolved or mismatched symbol while loading $m" \
		bash -c "! dmesg | sed -n '/$mark/,\$p' | grep -E 'Unknown symbol|disagrees about version|no symbol version'"
	check "modprobe -r $m" modprobe -r "$m"
	for o in ${via//,/ }; do
		check "$o unloads after $m" bash -c "modprobe -r $o && ! grep -q '^${o//-/_} ' /proc/modules"
	done
done <<<"$dependents"
finish
