#!/bin/bash
# The README's quick start, run as written: its two shell blocks (target,
# then host) are taken from README.md; only the placeholder lines the README
# tells a reader to edit (DEV=, HOSTNQN=, TARGET=) are given this guest's
# values. The host then sees the namespace and fio writes and verifies it.
. ./lib.sh
export PATH=$PWD:$PATH

# block NAME: the fenced shell block after the README's "<!-- quick-start: NAME -->".
block() {
	awk -v m="<!-- quick-start: $1 -->" '
		$0 == m { armed = 1; next }
		armed && /^```/ { if (inside) exit; inside = 1; next }
		inside { print }' README.md
}
# placeholders FILE VAR=VALUE...: the README's own "VAR=..." line, replaced.
placeholders() {
	local f=$1 kv
	shift
	for kv in "$@"; do
		grep -q "^${kv%%=*}=" "$f" || { echo "no ${kv%%=*}= line in the README's block"; return 1; }
		sed -i "s|^${kv%%=*}=[^ ]*|$kv|" "$f"
	done
}

check "nvmetctl is in the scenario directory" test -x ./nvmetctl
block target >/tmp/qs-target.sh
block host >/tmp/qs-host.sh
check "the target block has commands" test -s /tmp/qs-target.sh
check "the host block has commands" test -s /tmp/qs-host.sh
save_output qs-target.sh cat /tmp/qs-target.sh
save_output qs-host.sh cat /tmp/qs-host.sh

dev=$(backing_loop 64)
[[ -s /etc/nvme/hostnqn ]] || { mkdir -p /etc/nvme && nvme gen-hostnqn >/etc/nvme/hostnqn; }
hostnqn=$(cat /etc/nvme/hostnqn)
check "placeholders of the target block (DEV=$dev, HOSTNQN=this host's)" \
	placeholders /tmp/qs-target.sh "DEV=$dev" "HOSTNQN=$hostnqn"
check "placeholder of the host block (TARGET=127.0.0.1)" placeholders /tmp/qs-host.sh TARGET=127.0.0.1
before=$(nvme_blockdevs)
check "the target block runs as written (bash -e)" bash -ex /tmp/qs-target.sh
check "the host block runs as written (bash -e)" bash -ex /tmp/qs-host.sh
bdev=$(wait_new_blockdev "$before")
check "the host sees the namespace ($bdev)" test -b "$bdev"
[[ -n $bdev ]] || finish
check_output "it is the exported device's size" "^$(blockdev --getsize64 "$dev")\$" blockdev --getsize64 "$bdev"
fio_verify qs "$bdev" 4k 8M 8 --rw=randwrite
check "the saved configuration is where nvmetd restores it" test -s /etc/nvmet/config.json
check "disconnect" nvme disconnect-all
finish
