#!/bin/bash
# The packages installed on a machine that runs the in-tree target (run with
# --mode intree --debs): the README's install steps, in the guest.
#   - nvmet-dkms: DKMS built our modules from the package in the build root of
#     this kernel's release (tests/vm/build-debs, which also checks its install,
#     signing and purge there); they land in updates/dkms as DKMS puts them;
#   - nvmetctl: dpkg -i of the package built in sid (the guest's release);
#   - modprobe nvmet-tcp loads ours (modinfo: our version, updates/dkms);
#   - the nvmetd unit's ExecStart restores /etc/nvmet/config.json; a host connects;
#   - purge: dpkg --purge nvmetctl, our modules leave updates/dkms (what
#     `dkms remove` does when nvmet-dkms is purged): the in-tree target loads.
. ./lib.sh
NQN=nqn.2026-11.org.nvmet-oot:pkg
ADDR=127.0.0.1
SVC=4420
rel=$(uname -r)
ver=$(cat VERSION)
dkms_dir=/lib/modules/$rel/updates/dkms

check "the packages and the DKMS-built modules are here (tests/vm/build-debs)" \
	sh -c 'ls debs/nvmetctl_*.deb && ls debs/dkms/nvmet.ko* debs/dkms/nvmet-tcp.ko*'
check "nothing of ours is installed yet" sh -c "! ls /lib/modules/$rel/updates/ 2>/dev/null | grep -q ."
check "DKMS's modules in $dkms_dir, depmod" sh -c "mkdir -p $dkms_dir && cp debs/dkms/*.ko* $dkms_dir/ && depmod -a"
check "dpkg -i nvmetctl" dpkg -i debs/nvmetctl_"$ver"_amd64.deb
check_output "nvmetctl is installed" "^nvmetctl $ver$" nvmetctl --version
check "the unit, the default nvmetd.conf and the man pages are installed" \
	test -f /usr/lib/systemd/system/nvmetd.service -a -f /etc/nvmetd.conf -a -f /usr/share/man/man8/nvmetd.8.gz
check_output "modinfo nvmet resolves to ours in updates/dkms" "^/lib/modules/[^/]+/updates/dkms/nvmet\.ko" modinfo -n nvmet
check_output "modinfo nvmet-tcp resolves to ours" "^/lib/modules/[^/]+/updates/dkms/nvmet-tcp\.ko" modinfo -n nvmet-tcp
check_output "modinfo shows our version" "^$ver$" modinfo -F version nvmet
check "modprobe nvmet-tcp" modprobe -a nvmet-tcp nvme-tcp
check_output "the loaded nvmet is ours" "^$ver$" cat /sys/module/nvmet/version

# The configuration nvmetd restores, saved where nvmetcli's unit keeps it.
check "loop device" sh -c 'modprobe loop && truncate -s 64M /tmp/p.img && losetup /dev/loop0 /tmp/p.img'
check "configure and save to /etc/nvmet/config.json" sh -c "nvmetctl subsystem add $NQN --allow-any-host &&
	nvmetctl namespace add $NQN 1 /dev/loop0 && nvmetctl port add 1 --trtype tcp --traddr $ADDR --trsvcid $SVC &&
	nvmetctl port link 1 $NQN && nvmetctl save && nvmetctl clear"
check_fails "cleared" test -e "$NVMET_CFS/subsystems/$NQN"
exec_start=$(sed -n 's/^ExecStart=//p' /usr/lib/systemd/system/nvmetd.service)
check_output "the unit starts $exec_start" "^/usr/sbin/nvmetd$" echo "$exec_start"
$exec_start </dev/null >/tmp/nvmetd.log 2>&1 &
dpid=$!
check "nvmetd restored /etc/nvmet/config.json" sh -c "for i in \$(seq 80); do
	grep -q 'restored /etc/nvmet/config.json: 0 hosts, 1 subsystems, 1 ports' /tmp/nvmetd.log && exit 0
	sleep 0.25; done; cat /tmp/nvmetd.log; exit 1"
before=$(nvme_blockdevs)
check "a host connects" nvme connect -t tcp -a $ADDR -s $SVC -n $NQN
bdev=$(wait_new_blockdev "$before")
check "its namespace appears ($bdev)" test -b "$bdev"
check "and reads" sh -c "[ -b '$bdev' ] && dd if='$bdev' of=/dev/null bs=1M count=4 iflag=direct"
check_output "nvmetd logged the controller" "ctrl-create .*subsys=$NQN" cat /tmp/nvmetd.log
check "disconnect" nvme disconnect -n $NQN
kill -TERM $dpid
check "nvmetd stops on SIGTERM (exit 0)" wait $dpid
check "clear and unload ours" sh -c 'nvmetctl clear && modprobe -r nvmet-tcp nvmet'

# Purge.
check "dpkg --purge nvmetctl" dpkg --purge nvmetctl
check_fails "nvmetctl is gone" test -e /usr/sbin/nvmetctl
check "our modules leave updates/dkms (dkms remove), depmod" sh -c "rm -f $dkms_dir/*.ko* && depmod -a"
check_output "modinfo nvmet resolves to the in-tree module again" "/kernel/drivers/nvme/target/nvmet\.ko" modinfo -n nvmet
check "modprobe nvmet-tcp loads the in-tree target" modprobe nvmet-tcp
check_fails "the loaded nvmet is not ours (the in-tree one has no version)" test -s /sys/module/nvmet/version
check "the in-tree target's configfs is there" test -d "$NVMET_CFS/subsystems"
check "unload" modprobe -r nvmet-tcp nvmet
finish
