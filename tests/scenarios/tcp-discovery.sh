#!/bin/bash
# The discovery side of NVMe/TCP: what the discovery log lists (two
# subsystems and a referral on one port, saved and compared field by field
# between the in-tree target and ours), per-host filtering (allowed_hosts),
# a wildcard port (0.0.0.0) reporting the address the host came in through,
# a unique discovery NQN (root discovery_nqn), and a persistent discovery
# controller receiving Discovery Log Page Change events (masked until the
# host reads the log again). Runs unchanged against the in-tree target and ours.
. ./lib.sh
A=nqn.2026-11.org.nvmet-oot:disc-a
B=nqn.2026-11.org.nvmet-oot:disc-b
C=nqn.2026-11.org.nvmet-oot:disc-c
DISC=nqn.2014-08.org.nvmexpress.discovery
UNIQUE=nqn.2026-11.org.nvmet-oot:unique-discovery
OTHER_ID=00000000-0000-0000-0000-00000000d15c
OTHER=nqn.2014-08.org.nvmexpress:uuid:$OTHER_ID
ADDR=127.0.0.1
SVC=4420
P1=$NVMET_CFS/ports/1
REF=$P1/referrals/ref-4421

# disc FILE ADDR SVC [ARGS...]: the discovery log (normal output) into FILE.
disc() {
	local f=$1 a=$2 s=$3
	shift 3
	nvme discover -t tcp -a "$a" -s "$s" "$@" >"$f"
}
# entries FILE: the number of records nvme discover printed.
entries() { grep -c '^=====Discovery Log Entry' "$1"; }

# aen_listen FILE SECONDS: records, from now on and for at most SECONDS, the
# kernel uevents that carry NVME_AEN (the Linux host sends one per Asynchronous
# Event it receives: nvme_aen_uevent()), one "DEVPATH=... NVME_AEN=..." line each.
aen_listen() {
	local i
	rm -f "$1" "$1.ready"
	python3 -c '
import socket, sys, time
out, secs = sys.argv[1], float(sys.argv[2])
s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 15)  # NETLINK_KOBJECT_UEVENT
s.bind((0, 1))
open(out + ".ready", "w").close()
end = time.time() + secs
with open(out, "w") as f:
    while True:
        left = end - time.time()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            msg = s.recv(65536)
        except socket.timeout:
            break
        env = [e.decode(errors="replace") for e in msg.split(b"\0")]
        aen = [e for e in env if e.startswith("NVME_AEN=")]
        if aen:
            f.write(" ".join([e for e in env if e.startswith("DEVPATH=")] + aen) + "\n")
            f.flush()
' "$1" "$2" &
	aen_pid=$!
	for ((i = 0; i < 40; i++)); do
		[[ -e $1.ready ]] && return 0
		sleep 0.25
	done
	return 1
}
# aen_seen FILE DEV SECONDS: a Discovery Log Page Change notice (type 2h,
# info F0h, log 70h) for DEV arrived within SECONDS; stops the listener.
aen_seen() {
	local i rc=1
	for ((i = 0; i < $3 * 4; i++)); do
		if grep -Eq "DEVPATH=.*/$2 .*NVME_AEN=0x0*70f002" "$1" 2>/dev/null; then
			rc=0
			break
		fi
		sleep 0.25
	done
	kill "$aen_pid" 2>/dev/null
	wait "$aen_pid" 2>/dev/null
	cat "$1" 2>/dev/null
	return $rc
}
# genctr DEV: GENCTR and NUMREC of the discovery log, read through DEV.
genctr() {
	nvme get-log "$1" --log-id=0x70 --log-len=16 --raw-binary | od -An -tu8 -N16 |
		awk 'NF == 2 { print $1, $2 }'
}

check "load nvmet-tcp" modprobe nvmet-tcp
check "load nvme-tcp (host)" modprobe nvme-tcp
check "host NQN" test -n "$LAB_HOSTNQN"

# --- 1. the discovery log of a port: two subsystems and a referral --------
check "create subsystem A" subsys_add $A
check "create subsystem B" subsys_add $B
check "create subsystem C" subsys_add $C
check "TCP port 1 on $ADDR:$SVC" port_add 1 tcp ipv4 $ADDR $SVC
check "link A to port 1" port_link 1 $A
check "link B to port 1" port_link 1 $B
check "referral on port 1 to $ADDR:4421 (portid 2)" sh -c "mkdir $REF &&
	echo tcp > $REF/addr_trtype && echo ipv4 > $REF/addr_adrfam &&
	echo $ADDR > $REF/addr_traddr && echo 4421 > $REF/addr_trsvcid &&
	echo 2 > $REF/addr_portid && echo 1 > $REF/enable"
check_output "referral is enabled" '^1$' cat $REF/enable

save_output discover-port1.json nvme discover -t tcp -a $ADDR -s $SVC -o json
check "discover port 1" disc /tmp/d1.txt $ADDR $SVC
check_output "log lists subsystem A" "subnqn: +$A\$" cat /tmp/d1.txt
check_output "log lists subsystem B" "subnqn: +$B\$" cat /tmp/d1.txt
check_output "log lists the referral (trsvcid 4421)" 'trsvcid: +4421$' cat /tmp/d1.txt
check_output "log lists the discovery subsystem itself" "subnqn: +$DISC\$" cat /tmp/d1.txt
check_output "4 records: discovery, A, B, referral" '^4$' entries /tmp/d1.txt
check "C (not linked) is not listed" bash -c "! grep -q 'subnqn: *$C\$' /tmp/d1.txt"

# --- 2. per-host filtering ------------------------------------------------
check "restrict B to another host" sh -c "
	echo 0 > $NVMET_CFS/subsystems/$B/attr_allow_any_host &&
	mkdir $NVMET_CFS/hosts/$OTHER &&
	ln -s $NVMET_CFS/hosts/$OTHER $NVMET_CFS/subsystems/$B/allowed_hosts/"
save_output discover-port1-filtered.json nvme discover -t tcp -a $ADDR -s $SVC -o json
check "discover port 1 as our host" disc /tmp/d2.txt $ADDR $SVC
check_output "our host still sees A" "subnqn: +$A\$" cat /tmp/d2.txt
check "our host no longer sees B" bash -c "! grep -q 'subnqn: *$B\$' /tmp/d2.txt"
check_output "3 records for our host" '^3$' entries /tmp/d2.txt
check "discover port 1 as the allowed host" disc /tmp/d3.txt $ADDR $SVC -q $OTHER -I $OTHER_ID
check_output "the allowed host sees B" "subnqn: +$B\$" cat /tmp/d3.txt
check_output "4 records for the allowed host" '^4$' entries /tmp/d3.txt

# --- 3. a wildcard port reports the address in use ------------------------
check "TCP port 3 on 0.0.0.0:4422" port_add 3 tcp ipv4 0.0.0.0 4422
check "link A to port 3" port_link 3 $A
save_output discover-port3-lo.json nvme discover -t tcp -a $ADDR -s 4422 -o json
save_output discover-port3-lo2.json nvme discover -t tcp -a 127.0.0.2 -s 4422 -o json
check "discover port 3 through $ADDR" disc /tmp/d4.txt $ADDR 4422
check_output "port 3 lists A" "subnqn: +$A\$" cat /tmp/d4.txt
check_output "2 records on port 3 (discovery, A)" '^2$' entries /tmp/d4.txt
check_output "traddr is $ADDR" "traddr: +$ADDR\$" cat /tmp/d4.txt
check "no entry reports 0.0.0.0" bash -c "! grep -q 'traddr: *0\.0\.0\.0' /tmp/d4.txt"
check "every entry on port 3 reports $ADDR:4422" bash -c "
	[ \$(grep -c 'traddr: *$ADDR\$' /tmp/d4.txt) = 2 ] &&
	[ \$(grep -c 'trsvcid: *4422\$' /tmp/d4.txt) = 2 ]"
check "discover port 3 through 127.0.0.2" disc /tmp/d5.txt 127.0.0.2 4422
check "every entry reports 127.0.0.2 when reached through it" bash -c "
	[ \$(grep -c 'traddr: *127\.0\.0\.2\$' /tmp/d5.txt) = 2 ] &&
	! grep -q 'traddr: *0\.0\.0\.0' /tmp/d5.txt"
check "port 1 (not wildcard) still reports its own traddr" bash -c "
	[ \$(grep -c 'traddr: *$ADDR\$' /tmp/d2.txt) = 3 ]"

# --- 4. a unique discovery NQN -------------------------------------------
check_output "default discovery NQN" "^$DISC\$" cat $NVMET_CFS/discovery_nqn
# How a write with a trailing newline ends (the in-tree store returns the
# length without the newline, so the writer sees a short write): noted only.
echo $UNIQUE >$NVMET_CFS/discovery_nqn 2>/tmp/echo.err
# shellcheck disable=SC2320 # the status of this echo is the point
rc=$?
note "echo NQN > discovery_nqn: exit $rc, $(tr '\n' ' ' </tmp/echo.err)"
check "set discovery_nqn to $UNIQUE" sh -c "printf %s $UNIQUE > $NVMET_CFS/discovery_nqn"
check_output "discovery_nqn reads back" "^$UNIQUE\$" cat $NVMET_CFS/discovery_nqn
check "discover with --nqn $UNIQUE" disc /tmp/d6.txt $ADDR $SVC --nqn=$UNIQUE
check_output "the log lists A" "subnqn: +$A\$" cat /tmp/d6.txt
check_output "the log's own entry names $UNIQUE" "subnqn: +$UNIQUE\$" cat /tmp/d6.txt
check "the well-known discovery NQN still answers" disc /tmp/d7.txt $ADDR $SVC
check_output "and its log's own entry names $UNIQUE too" "subnqn: +$UNIQUE\$" cat /tmp/d7.txt
check_fails "a subsystem cannot be created with the discovery NQN" \
	mkdir "$NVMET_CFS/subsystems/$UNIQUE"
check_fails "nor with the well-known one" mkdir "$NVMET_CFS/subsystems/$DISC"
check_fails "discovery_nqn cannot take an existing subsystem's NQN" \
	sh -c "printf %s $A > $NVMET_CFS/discovery_nqn"
check_output "discovery_nqn unchanged by the refused write" "^$UNIQUE\$" \
	cat $NVMET_CFS/discovery_nqn
check "restore the default discovery NQN" sh -c "printf %s $DISC > $NVMET_CFS/discovery_nqn"
check_output "default discovery NQN again" "^$DISC\$" cat $NVMET_CFS/discovery_nqn

# --- 5. persistent discovery controller and Discovery Log Page Change ------
check "connect a persistent discovery controller" \
	nvme connect -t tcp -a $ADDR -s $SVC -n $DISC
dctrl=""
for d in /sys/class/nvme/nvme*; do
	[[ $(cat "$d/subsysnqn" 2>/dev/null) == "$DISC" ]] && dctrl=$(basename "$d")
done
check "discovery controller found (${dctrl:-none})" test -c "/dev/$dctrl"
check_output "it is live" '^live$' cat /sys/class/nvme/$dctrl/state
g0=$(genctr /dev/$dctrl)
note "GENCTR NUMREC: $g0"
check_output "discovery log through it: GENCTR, NUMREC 3" '^[0-9]+ 3$' echo "$g0"

check "listen for uevents" aen_listen /tmp/aen1 15
check "link C to port 1" port_link 1 $C
check "host gets a Discovery Log Page Change AEN on $dctrl" aen_seen /tmp/aen1 "$dctrl" 15
g1=$(genctr /dev/$dctrl)
note "GENCTR NUMREC: $g1"
check_output "NUMREC 4 after the link" '^[0-9]+ 4$' echo "$g1"
check "GENCTR increased" test "${g1%% *}" -gt "${g0%% *}"

check "listen again" aen_listen /tmp/aen2 15
check "unlink C from port 1" rm "$P1/subsystems/$C"
check "a second AEN after the log was read" aen_seen /tmp/aen2 "$dctrl" 15

# The event stays masked until the host reads the log again.
check "listen again (nothing expected)" aen_listen /tmp/aen3 4
check "link C to port 1 again" port_link 1 $C
check_fails "no AEN while the last one is unacknowledged" aen_seen /tmp/aen3 "$dctrl" 4
g2=$(genctr /dev/$dctrl)
note "GENCTR NUMREC: $g2"
check_output "the log reads NUMREC 4" '^[0-9]+ 4$' echo "$g2"
check "GENCTR increased again" test "${g2%% *}" -gt "${g1%% *}"

# A change the host cannot see raises nothing: another host's allowed_hosts.
check "listen again (nothing expected)" aen_listen /tmp/aen4 4
check "restrict C to the other host" sh -c "
	echo 0 > $NVMET_CFS/subsystems/$C/attr_allow_any_host"
check "host gets an AEN: C vanished from its log" aen_seen /tmp/aen4 "$dctrl" 4
check_output "the log reads NUMREC 3" '^[0-9]+ 3$' genctr /dev/$dctrl
check "listen again (nothing expected)" aen_listen /tmp/aen5 4
check "allow the other host on C" \
	ln -s $NVMET_CFS/hosts/$OTHER $NVMET_CFS/subsystems/$C/allowed_hosts/
check_fails "no AEN for a change only another host sees" aen_seen /tmp/aen5 "$dctrl" 4

check "disconnect the discovery controller" nvme disconnect -d /dev/$dctrl
check "discovery controller is gone" bash -c "! test -e /sys/class/nvme/$dctrl"

check "teardown" target_clear
check "unload" modprobe -r nvme-tcp nvmet-tcp nvmet
check "nvmet is unloaded" bash -c '! grep -q "^nvmet " /proc/modules'
finish
