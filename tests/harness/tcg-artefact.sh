#!/bin/bash
# Harness self-test: the first time it runs, the guest dies with the console
# of the emulator's known artefact (tests/vm/tcg-artefact; the lines of
# tests/harness/tcg-int3.log), then a real crash. run-guest must run it, and
# what followed it in the batch, again in a new boot, where it passes.
. ./lib.sh
mark=/lab/scenario/.tcg-artefact-crashed
if [ ! -e $mark ]; then
	check "leave the mark of the first run" touch $mark
	# Level 2 (critical): printed on the console despite "quiet".
	for l in 'Oops: int3: 0000 [#1] PREEMPT SMP NOPTI' \
		'RIP: 0010:__schedule+0x343/0xbe0' \
		'Code: 00 00 0f <1f> 44 00 00 48 8b 83 88 0a 00 00'; do
		echo "<2>$l" >/dev/kmsg
	done
	echo c >/proc/sysrq-trigger
	sleep 30
fi
check "runs to its end in the new boot" true
finish
