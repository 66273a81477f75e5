# bash completion for nvmetctl. Objects come from configfs (or --root).
# shellcheck shell=bash

_nvmetctl_root() {
	local i
	for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
		[[ ${COMP_WORDS[i]} == --root ]] && { echo "${COMP_WORDS[i + 1]}"; return; }
	done
	echo /sys/kernel/config/nvmet
}

# Names in a configfs directory of the root.
_nvmetctl_names() {
	local d
	d="$(_nvmetctl_root)/$1"
	[[ -d $d ]] && ls -1 "$d" 2>/dev/null
}

_nvmetctl() {
	local cur=${COMP_WORDS[COMP_CWORD]} words=() i w object="" verb="" nargs=0
	# The object and verb typed so far, and how many positional words follow.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == --root ]]; then
			((i++))
			continue
		fi
		[[ $w == -* ]] && continue
		# Values of options, whatever the command.
	case ${COMP_WORDS[COMP_CWORD - 1]} in
	--hash)
		COMPREPLY=($(compgen -W "sha256 sha384 sha512" -- "$cur"))
		return
		;;
	--dhgroup)
		COMPREPLY=($(compgen -W "null ffdhe2048 ffdhe3072 ffdhe4096 ffdhe6144 ffdhe8192" -- "$cur"))
		return
		;;
	--treq)
		COMPREPLY=($(compgen -W "required not-required not-specified" -- "$cur"))
		return
		;;
	--key-file | --ctrl-key-file)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	esac
	if [[ -z $object ]]; then
			object=$w
		elif [[ -z $verb && $object != save && $object != restore && $object != clear && $object != apply ]]; then
			verb=$w
		else
			((nargs++))
		fi
	done
	# Values of options, whatever the command.
	case ${COMP_WORDS[COMP_CWORD - 1]} in
	--hash)
		COMPREPLY=($(compgen -W "sha256 sha384 sha512" -- "$cur"))
		return
		;;
	--dhgroup)
		COMPREPLY=($(compgen -W "null ffdhe2048 ffdhe3072 ffdhe4096 ffdhe6144 ffdhe8192" -- "$cur"))
		return
		;;
	--treq)
		COMPREPLY=($(compgen -W "required not-required not-specified" -- "$cur"))
		return
		;;
	--key-file | --ctrl-key-file)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	esac
	if [[ -z $object ]]; then
		words=(host subsystem namespace port ana referral save restore apply clear --root --help --version)
	elif [[ -z $verb ]]; then
		case $object in
		host) words=(add del list show set-key clear-key) ;;
		subsystem) words=(add del set allow disallow list show) ;;
		namespace) words=(add del enable disable resize) ;;
		port) words=(add del link unlink set list show) ;;
		ana) words=(set del) ;;
		referral) words=(add del) ;;
		save | restore)
			COMPREPLY=($(compgen -f -- "$cur"))
			return
			;;
		apply)
			if [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W "--dry-run --wait" -- "$cur"))
			else
				COMPREPLY=($(compgen -f -- "$cur"))
			fi
			return
			;;
		esac
	else
		case "$object:$verb:$nargs" in
		host:del:0 | host:show:0 | host:set-key:0 | host:clear-key:0) words=($(_nvmetctl_names hosts)) ;;
		host:set-key:*) words=(--key --key-file --ctrl-key --ctrl-key-file --hash --dhgroup) ;;
		host:clear-key:*) words=(--ctrl-only) ;;
		subsystem:del:0 | subsystem:set:0 | subsystem:allow:0 | subsystem:disallow:0 | subsystem:show:0 | \
			namespace:*:0)
			words=($(_nvmetctl_names subsystems))
			;;
		subsystem:allow:1 | subsystem:disallow:1) words=($(_nvmetctl_names hosts)) ;;
		subsystem:set:1) words=(allow_any_host serial model firmware version ieee_oui cntlid_min cntlid_max qid_max) ;;
		namespace:add:2)
			COMPREPLY=($(compgen -f -- "$cur"))
			return
			;;
		namespace:*:1) words=($(_nvmetctl_names "subsystems/${COMP_WORDS[COMP_CWORD - 1]}/namespaces")) ;;
		port:*:0 | ana:*:0 | referral:del:0) words=($(_nvmetctl_names ports)) ;;
		port:link:1 | port:unlink:1) words=($(_nvmetctl_names subsystems)) ;;
		port:set:1) words=(addr_trtype addr_adrfam addr_traddr addr_trsvcid addr_treq addr_tsas
			param_inline_data_size param_max_queue_size param_mdts) ;;
		port:add:*) words=(--trtype --traddr --trsvcid --adrfam --tls --treq --tsas --inline-data-size --max-queue-size) ;;
		ana:set:2) words=(optimized non-optimized inaccessible persistent-loss change) ;;
		esac
	fi
	COMPREPLY=($(compgen -W "${words[*]}" -- "$cur"))
}
complete -F _nvmetctl nvmetctl
