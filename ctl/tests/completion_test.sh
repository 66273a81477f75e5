#!/bin/bash
# ctl/completion/nvmetctl.bash: what TAB offers, on a configfs-like root.
set -u
here=$(cd "$(dirname "$0")" && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
S=nqn.2026-11.org.example:disk1
H=nqn.2014-08.org.nvmexpress:uuid:9f8e7d6c-0000-4000-8000-000000000001
mkdir -p "$t/subsystems/nqn.s1/namespaces/3" "$t/hosts/nqn.h1" "$t/ports/7/referrals/peer" \
	"$t/ports/7/ana_groups/4" "$t/subsystems/$S/namespaces/5" "$t/subsystems/$S/allowed_hosts/$H" "$t/hosts/$H"
# shellcheck source=/dev/null
. "$here/../completion/nvmetctl.bash"
fail=0
check() { # WHAT WANT
	local got="${COMPREPLY[*]}"
	if [[ $got == "$2" ]]; then echo "ok - $1 -> $2"; else echo "not ok - $1: want '$2', got '$got'"; fail=1; fi
}
offer() { # WANT WORDS...: completes the last word of WORDS, one word each
	local want=$1
	shift
	COMP_WORDS=(nvmetctl --root "$t" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_nvmetctl
	check "$*" "$want"
}
# line WANT LINE: completes the end of LINE split as bash splits it with
# ':' in COMP_WORDBREAKS (the default): every ':' a word of its own.
line() {
	local want=$1 l=$2 w
	COMP_WORDS=()
	for w in $l; do
		while [[ $w == *:* ]]; do
			[[ -n ${w%%:*} ]] && COMP_WORDS+=("${w%%:*}")
			COMP_WORDS+=(":")
			w=${w#*:}
		done
		[[ -n $w ]] && COMP_WORDS+=("$w")
	done
	[[ $l == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_nvmetctl
	check "[$l]" "$want"
}
offer "subsystem" sub
offer "add del set allow disallow list show" subsystem ""
offer "nqn.2026-11.org.example:disk1 nqn.s1" namespace del ""
offer "3" namespace disable nqn.s1 ""
offer "$H nqn.h1" subsystem allow nqn.s1 ""
offer "7" port link ""
offer "nqn.2026-11.org.example:disk1 nqn.s1" port link 7 ""
offer "non-optimized" ana set 7 2 non
offer "resize" namespace res
offer "set-key" host set
offer "$H nqn.h1" host set-key ""
offer "--ctrl-key --ctrl-key-file" host set-key nqn.h1 --ctrl
offer "ffdhe4096" host set-key nqn.h1 --dhgroup ffdhe4
offer "sha384" host set-key nqn.h1 --hash sha3
offer "not-required" port add 7 --tls --treq not-r
offer "--tls" port add 7 --tl
# status, show, trtype and adrfam values, aliases and prefixes as nvmetctl takes them.
offer "status" sta
offer "save" sa
offer "--json -j" status ""
offer "--json -j" ls -
offer "tcp" port add 8 --trtype t
offer "rdma" referral add 7 r2 --trtype rd
offer "ipv6" port add 8 --adrfam ipv6
offer "--json -j" sub ls -
offer "3" ns rm nqn.s1 ""
offer "peer" referral del 7 ""
offer "4" ana del 7 ""
# NQNs with ':' split into words, as bash does: the replies are what follows the last ':'.
line "disk1" "nvmetctl --root $t port link 7 nqn.2026-11.org.example:d"
line "nqn.2026-11.org.example:disk1" "nvmetctl --root $t port link 7 nqn.2026-11.org."
line "5" "nvmetctl --root $t namespace disable $S "
line "9f8e7d6c-0000-4000-8000-000000000001" "nvmetctl --root $t subsystem disallow $S $H"
line "uuid:9f8e7d6c-0000-4000-8000-000000000001" "nvmetctl --root $t host show nqn.2014-08.org.nvmexpress:"
# Without ':' in COMP_WORDBREAKS the NQN is one word and offered whole.
COMP_WORDBREAKS=${COMP_WORDBREAKS//:/}
offer "$S" port link 7 nqn.2026-11.org.example:d
# Objects from the directory of --fake-configfs DIR (also after the command).
f=$t/fake
mkdir -p "$f/subsystems/nqn.2026-11.org.example:fake"
COMP_WORDS=(nvmetctl --fake-configfs "$f" subsystem show "")
COMP_CWORD=5
_nvmetctl
check "--fake-configfs DIR" "nqn.2026-11.org.example:fake"
COMP_WORDS=(nvmetctl subsystem del --fake-configfs="$f" "")
COMP_CWORD=4
_nvmetctl
check "--fake-configfs=DIR after the command" "nqn.2026-11.org.example:fake"
# In a real interactive bash (a pseudo-terminal): TAB after an NQN's ':'
# completes the NQN on the command line.
typed=$(python3 - "$here/../completion/nvmetctl.bash" "$t" <<'PY'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp("bash", ["bash", "--norc", "--noprofile", "-i"])
out = b""
def send(text, wait=0.5):
    global out
    os.write(fd, text.encode())
    end = time.time() + wait
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                out += os.read(fd, 4096)
            except OSError:
                return
send("PS1='$ '; . %s\n" % sys.argv[1])
send("nvmetctl --root %s port link 7 nqn.2026-11.org.example:d\t" % sys.argv[2], 1.5)
send("\x03exit\n")
print(out.decode(errors="replace"))
PY
)
if grep -q "port link 7 nqn.2026-11.org.example:disk1 " <<<"$typed"; then
	echo "ok - TAB in an interactive bash completes an NQN after its ':'"
else
	echo "not ok - TAB in an interactive bash: got '$(tail -c 300 <<<"$typed")'"
	fail=1
fi
offer "apply" app
offer "--dry-run" apply --dr
exit $fail
