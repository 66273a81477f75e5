# bash completion for nvmetctl. Objects (subsystem and host NQNs, port IDs,
# namespaces, referrals, ANA groups) come from configfs, or from the
# directory of --root or --fake-configfs. NQNs hold ':', which bash splits
# words at (COMP_WORDBREAKS): the pieces are joined again here and the
# replies trimmed to what follows the last ':', with or without the
# bash-completion package.
# shellcheck shell=bash disable=SC2207 # compgen and configfs names hold no blanks

# _nvmetctl_join: the words up to the cursor with NQNs whole, into the
# arrays/variables _nvmetctl_w (words) and _nvmetctl_cur (the current one).
_nvmetctl_join() {
	local i w n
	_nvmetctl_w=()
	for ((i = 0; i <= COMP_CWORD && i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		n=${#_nvmetctl_w[@]}
		if ((n > 1)) && [[ -n $w && ($w == :* || ${_nvmetctl_w[n - 1]} == *:) ]]; then
			_nvmetctl_w[n - 1]+=$w
		else
			_nvmetctl_w+=("$w")
		fi
	done
	((COMP_CWORD < ${#COMP_WORDS[@]})) || _nvmetctl_w+=("")
	_nvmetctl_cur=${_nvmetctl_w[${#_nvmetctl_w[@]} - 1]}
}

# The configfs root the command line names.
_nvmetctl_root() {
	local i w next root=/sys/kernel/config/nvmet
	for ((i = 1; i < ${#_nvmetctl_w[@]} - 1; i++)); do
		w=${_nvmetctl_w[i]}
		next=${_nvmetctl_w[i + 1]}
		case $w in
		--root) root=$next ;;
		# --fake-configfs alone (after --root DIR) keeps --root's directory.
		--fake-configfs)
			[[ -n $next && $next != -* && -z $(_nvmetctl_pick "$next" "${_nvmetctl_objects[@]}") ]] && root=$next
			;;
		--root=* | --fake-configfs=*) root=${w#*=} ;;
		esac
	done
	echo "$root"
}

# Names in a directory of the root.
_nvmetctl_names() {
	local d
	d="$(_nvmetctl_root)/$1"
	[[ -d $d ]] && ls -1 "$d" 2>/dev/null
}

_nvmetctl_objects=(host subsystem namespace port ana referral show save restore apply status clear)

# The command WORD names among CANDIDATES (nvmetctl's aliases and unique
# prefixes), or nothing.
_nvmetctl_pick() {
	local word=$1 c hit=""
	shift
	case $word in
	hosts) word=host ;; subsystems | subsys) word=subsystem ;; namespaces | ns) word=namespace ;;
	ports) word=port ;; referrals) word=referral ;; ls) [[ " $* " == *" list "* ]] && word=list || word=show ;;
	delete | rm) word=del ;;
	esac
	for c in "$@"; do
		[[ $c == "$word" ]] && { echo "$c"; return; }
		if [[ $c == "$word"* ]]; then
			[[ -n $hit ]] && return
			hit=$c
		fi
	done
	echo "$hit"
}

_nvmetctl_verbs() {
	case $1 in
	host) echo add del list show set-key clear-key ;;
	subsystem) echo add del set allow disallow list show ;;
	namespace) echo add del enable disable resize ;;
	port) echo add del link unlink set list show ;;
	ana) echo set del ;;
	referral) echo add del ;;
	esac
}

_nvmetctl() {
	local _nvmetctl_w _nvmetctl_cur
	_nvmetctl_join
	local cur=$_nvmetctl_cur prev="" i w object="" verb="" args=() words=() vs=()
	local n=${#_nvmetctl_w[@]}
	((n > 1)) && prev=${_nvmetctl_w[n - 2]}
	# The object and verb typed so far, and the positional words after them.
	for ((i = 1; i < n - 1; i++)); do
		w=${_nvmetctl_w[i]}
		case $w in
		--root | --trtype | --traddr | --trsvcid | --adrfam | --treq | --tsas | --hash | --dhgroup | \
			--key | --key-file | --ctrl-key | --ctrl-key-file | --serial | --model | --version | --uuid | \
			--nguid | --ana-group | --inline-data-size | --max-queue-size | --remote-portid)
			((i++))
			continue
			;;
		--fake-configfs)
			[[ ${_nvmetctl_w[i + 1]} != -* && -z $(_nvmetctl_pick "${_nvmetctl_w[i + 1]}" "${_nvmetctl_objects[@]}") ]] && ((i++))
			continue
			;;
		-*) continue ;;
		esac
		if [[ -z $object ]]; then
			object=$(_nvmetctl_pick "$w" "${_nvmetctl_objects[@]}")
			[[ -n $object ]] || return
		elif [[ -z $verb && -n $(_nvmetctl_verbs "$object") ]]; then
			read -ra vs <<<"$(_nvmetctl_verbs "$object")"
			verb=$(_nvmetctl_pick "$w" "${vs[@]}")
			[[ -n $verb ]] || return
		else
			args+=("$w")
		fi
	done
	# Values of options, whatever the command.
	case $prev in
	--root | --fake-configfs) words=() && COMPREPLY=($(compgen -d -- "$cur")) && return ;;
	--trtype) words=(tcp rdma fc pci loop) ;;
	--adrfam) words=(ipv4 ipv6 ib fc pci loop) ;;
	--treq) words=(required not-required not-specified) ;;
	--tsas) words=(none tls1.3) ;;
	--hash) words=(sha256 sha384 sha512) ;;
	--dhgroup) words=(null ffdhe2048 ffdhe3072 ffdhe4096 ffdhe6144 ffdhe8192) ;;
	--key-file | --ctrl-key-file) COMPREPLY=($(compgen -f -- "$cur")) && return ;;
	--traddr | --trsvcid | --key | --ctrl-key | --serial | --model | --version | --uuid | --nguid | \
		--ana-group | --inline-data-size | --max-queue-size | --remote-portid)
		return
		;;
	esac
	if [[ ${#words[@]} -eq 0 ]]; then
		local nargs=${#args[@]}
		if [[ -z $object ]]; then
			words=("${_nvmetctl_objects[@]}" --root --fake-configfs --help --version)
		elif [[ -z $verb && -n $(_nvmetctl_verbs "$object") ]]; then
			words=($(_nvmetctl_verbs "$object"))
		else
			case "$object:$verb:$nargs" in
			show::* | status::*) words=(--json -j) ;;
			save::0 | restore::0)
				COMPREPLY=($(compgen -f -- "$cur"))
				[[ $object == restore && $cur == -* ]] && COMPREPLY=($(compgen -W "--check" -- "$cur"))
				return
				;;
			restore::*) words=(--check) ;;
			apply::*)
				if [[ $cur == -* ]]; then
					COMPREPLY=($(compgen -W "--dry-run --wait" -- "$cur"))
				else
					COMPREPLY=($(compgen -f -- "$cur"))
				fi
				return
				;;
			host:del:0 | host:show:0 | host:set-key:0 | host:clear-key:0) words=($(_nvmetctl_names hosts)) ;;
			host:set-key:*) words=(--key --key-file --ctrl-key --ctrl-key-file --hash --dhgroup) ;;
			host:clear-key:*) words=(--ctrl-only) ;;
			host:list:*) words=(--json -j --show-secrets) ;;
			host:show:*) words=(--json -j --show-secrets) ;;
			host:del:*) words=(--force) ;;
			subsystem:add:*) words=(--allow-any-host --serial --model --version) ;;
			subsystem:list:*) words=(--json -j) ;;
			subsystem:del:0 | subsystem:set:0 | subsystem:allow:0 | subsystem:disallow:0 | subsystem:show:0 | \
				namespace:*:0)
				words=($(_nvmetctl_names subsystems))
				;;
			subsystem:show:*) words=(--json -j) ;;
			subsystem:del:*) words=(--force) ;;
			subsystem:allow:1) words=($(_nvmetctl_names hosts)) ;;
			subsystem:disallow:1) words=($(_nvmetctl_names "subsystems/${args[0]}/allowed_hosts")) ;;
			subsystem:set:1) words=(allow_any_host serial model firmware version ieee_oui cntlid_min cntlid_max qid_max) ;;
			namespace:add:2)
				COMPREPLY=($(compgen -f -- "$cur"))
				return
				;;
			namespace:add:*) words=(--uuid --nguid --ana-group --buffered --disabled) ;;
			namespace:*:1) words=($(_nvmetctl_names "subsystems/${args[0]}/namespaces")) ;;
			port:add:0) return ;;
			port:add:*) words=(--trtype --traddr --trsvcid --adrfam --tls --treq --tsas --inline-data-size --max-queue-size) ;;
			port:list:*) words=(--json -j) ;;
			port:*:0 | ana:*:0 | referral:*:0) words=($(_nvmetctl_names ports)) ;;
			port:show:*) words=(--json -j) ;;
			port:del:*) words=(--force) ;;
			port:link:1) words=($(_nvmetctl_names subsystems)) ;;
			port:unlink:1) words=($(_nvmetctl_names "ports/${args[0]}/subsystems")) ;;
			port:set:1) words=(addr_trtype addr_adrfam addr_traddr addr_trsvcid addr_treq addr_tsas
				param_inline_data_size param_max_queue_size param_mdts) ;;
			ana:set:1 | ana:del:1) words=($(_nvmetctl_names "ports/${args[0]}/ana_groups")) ;;
			ana:set:2) words=(optimized non-optimized inaccessible persistent-loss change) ;;
			referral:del:1) words=($(_nvmetctl_names "ports/${args[0]}/referrals")) ;;
			referral:add:*) words=(--trtype --traddr --trsvcid --adrfam --remote-portid) ;;
			esac
		fi
	fi
	COMPREPLY=($(compgen -W "${words[*]}" -- "$cur"))
	# bash replaces only what follows the last ':' of the word.
	if [[ $cur == *:* && ${COMP_WORDBREAKS-:} == *:* ]]; then
		local colon=${cur%"${cur##*:}"}
		COMPREPLY=("${COMPREPLY[@]#"$colon"}")
	fi
}
complete -F _nvmetctl nvmetctl
