#!/bin/bash
# ctl/completion/nvmetctl.bash: what TAB offers, on a configfs-like root.
set -u
here=$(cd "$(dirname "$0")" && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/subsystems/nqn.s1/namespaces/3" "$t/hosts/nqn.h1" "$t/ports/7"
# shellcheck source=/dev/null
. "$here/../completion/nvmetctl.bash"
fail=0
offer() { # WANT WORDS...: completes the last word of WORDS
	local want=$1
	shift
	COMP_WORDS=(nvmetctl --root "$t" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_nvmetctl
	local got="${COMPREPLY[*]}"
	if [[ $got == "$want" ]]; then echo "ok - $* -> $want"; else echo "not ok - $*: want '$want', got '$got'"; fail=1; fi
}
offer "subsystem" sub
offer "add del set allow disallow list show" subsystem ""
offer "nqn.s1" namespace del ""
offer "3" namespace disable nqn.s1 ""
offer "nqn.h1" subsystem allow nqn.s1 ""
offer "7" port link ""
offer "nqn.s1" port link 7 ""
offer "non-optimized" ana set 7 2 non
offer "resize" namespace res
offer "set-key" host set
offer "nqn.h1" host set-key ""
offer "--ctrl-key --ctrl-key-file" host set-key nqn.h1 --ctrl
offer "ffdhe4096" host set-key nqn.h1 --dhgroup ffdhe4
offer "sha384" host set-key nqn.h1 --hash sha3
offer "not-required" port add 7 --tls --treq not-r
offer "--tls" port add 7 --tl
offer "apply" app
offer "--dry-run" apply --dr
exit $fail
