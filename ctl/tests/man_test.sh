#!/bin/bash
# nvmetctl.8 lists every command, verb and option nvmetctl has (as its
# --help output says), and the global options.
set -u
bin=$1 page=$2
fail=0
expect() { # WHAT: the last command succeeded
	if [[ $? -eq 0 ]]; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi
}
# The man page as text, without roff's escapes for '-'.
text=$(sed -e 's/\\-/-/g' "$page")
commands() {
	"$bin" "$@" --help | sed -n '/^Subcommands:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p'
}
options() {
	"$bin" "$@" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u
}
# The section of the page about ARGS: from its .SS line to the next.
section() {
	awk -v h=".SS \"nvmetctl $*\"" '$0 == h {on = 1; next} /^\.SS/ {on = 0} on' <<<"$text"
}
for o in --root --fake-configfs; do
	grep -q -- "$o" <<<"$text"
	expect "global option $o"
done
n=0
for object in $(commands); do
	[[ -n $(section "$object") ]]
	expect "command $object"
	for verb in $(commands "$object"); do
		s=$(section "$object" "$verb")
		[[ -n $s ]]
		expect "verb $object $verb"
		for opt in $(options "$object" "$verb"); do
			grep -q -- "$opt" <<<"$s"
			expect "option $object $verb $opt"
		done
		n=$((n + 1))
	done
done
((n >= 29))
expect "$n verbs (at least 29)"
exit $fail
