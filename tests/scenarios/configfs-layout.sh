#!/bin/bash
# The configfs tree itself: one object of each kind (host, subsystem with a
# namespace and an allowed host, port with a linked subsystem, a referral and
# an ANA group), then every file, directory and link with its mode, saved as
# an artifact. Side by side this compares our ABI with the in-tree target's
# (names and permissions); ctl's fake configfs is checked against the same
# listing (ctl/tests/fixtures/).
. ./lib.sh
NQN=nqn.2026-11.org.nvmet-oot:layout
HOST=nqn.2014-08.org.nvmexpress:uuid:3c2d1e0f-4a5b-4c6d-8e7f-901234567890

check "load nvmet" modprobe nvmet
dev=$(backing_loop 16)
check "host" mkdir "$NVMET_CFS/hosts/$HOST"
check "subsystem" mkdir "$NVMET_CFS/subsystems/$NQN"
check "allowed host" ln -s "$NVMET_CFS/hosts/$HOST" "$NVMET_CFS/subsystems/$NQN/allowed_hosts/$HOST"
check "namespace" ns_add $NQN 1 "$dev"
check "port" mkdir "$NVMET_CFS/ports/1"
check "port address" sh -c "cd $NVMET_CFS/ports/1 && echo tcp > addr_trtype && echo ipv4 > addr_adrfam &&
	echo 127.0.0.1 > addr_traddr && echo 4420 > addr_trsvcid"
check "referral" mkdir "$NVMET_CFS/ports/1/referrals/ref1"
check "ANA group 2" mkdir "$NVMET_CFS/ports/1/ana_groups/2"
check "link" ln -s "$NVMET_CFS/subsystems/$NQN" "$NVMET_CFS/ports/1/subsystems/$NQN"
# Modes and kinds; the host and subsystem NQNs are replaced by placeholders.
save_output layout sh -c "cd $NVMET_CFS && find . -mindepth 1 -printf '%y %#m %P\n' |
	sed -e 's|$NQN|SUBNQN|g' -e 's|$HOST|HOSTNQN|g' | sort -k3"
check "teardown" target_clear
check "unload" modprobe -r nvmet-tcp nvmet
losetup -d "$dev"
finish
