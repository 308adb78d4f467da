#!/bin/sh
# SPDX-License-Identifier: MIT
# matrix.sh B: the conformance suite ($B/test) for the user cells under each
# policy of policy-run, and `trampfd probe` under each. Result lines:
#   PASS|FAIL|SKIP policy-POLICY-CELL/TEST[: reason]   (from test/runner.sh)
#   PASS|FAIL policy-POLICY-CELL/refusal: the cell refused or not, as expected
#   PASS|FAIL policy-probe/POLICY: what the probe said
# Expected: a cell the policy takes away (refused below) fails every test
# at its first create with exactly that errno: one PASS refusal line, and
# the tests SKIP with it as reason; any other cell runs the suite, and a
# FAIL (crash, W+X, wrong value) is a FAIL here; so is a refusal with
# another errno, a refusal of a cell that must work, a refused cell that
# works, and a probe that does not name the policy. Appends to
# $TRAMPFD_RESULTS if set.
B=${1:-build}
run=$B/policy/policy-run
res=$TRAMPFD_RESULTS
out=$B/policy
tmo=${TRAMPFD_TIMEOUT:-30}
policies=${POLICIES:-"mdwe seccomp-memfd seccomp-exec seccomp-vm-rw noexec-tmp no-dac"}
# check-user already runs the whole suite under PR_SET_MDWE (runner --mdwe):
# here mdwe only gets the probe.
suite_skip=${SUITE_SKIP:-mdwe}
cells="user-fault user-code"

# The cells each policy takes away, and the errno every create gets
# (docs/security.md); every other (policy, cell) must work.
refused='seccomp-memfd user-fault Operation not permitted
seccomp-memfd user-code Operation not permitted
seccomp-exec user-code Operation not permitted
no-dac user-code Permission denied'

# Known disagreements, not caused by the policy: (policy, cell, test, why),
# turned into visible SKIP lines; "*" matches any policy or cell.
known='* * stress the suite stress test compares mapping counts that glibc per-thread malloc arenas change at random (check-user and check-stress cover stress)'

trap 'rm -rf /var/tmp/trampfd-policy.$$' EXIT

report() {
	echo "$1"
	[ -n "$res" ] && echo "$1" >>"$res"
}

# Paths the policies must not hide: noexec-tmp mounts over /tmp.
abs() { (cd "$1" && pwd); }
dir=$(abs "$B/test") || exit 1
out=$(abs "$out")
run=$out/policy-run

for p in $policies; do
	wrap=$out/wrap-$p
	printf '#!/bin/sh\nexec %s %s "$@"\n' "$run" "$p" >"$wrap"
	chmod 755 "$wrap"
	tdir=$dir
	tool=$(abs "$B")/trampfd
	# ld.so maps libc with PROT_EXEC: a static copy under seccomp-exec.
	[ "$p" = seccomp-exec ] && tool=$out/trampfd-static
	if [ "$p" = no-dac ]; then
		# Execute-only copies: the library's own file is the program.
		tdir=$out/unreadable
		rm -rf "$tdir"
		mkdir -p "$tdir"
		for t in "$dir"/*; do
			[ -f "$t" ] && [ -x "$t" ] || continue
			cp "$t" "$tdir/" && chmod 0111 "$tdir/${t##*/}"
		done
		cp "$tool" "$out/trampfd-x" && chmod 0111 "$out/trampfd-x"
		tool=$out/trampfd-x
	fi
	if [ "$p" = noexec-tmp ]; then
		case "$dir" in /tmp/* | /dev/shm/*)
			# The policy mounts over /tmp and /dev/shm: a build there would
			# vanish, so run copies kept outside them.
			tdir=/var/tmp/trampfd-policy.$$
			rm -rf "$tdir"
			mkdir -p "$tdir"
			for t in "$dir"/*; do
				[ -f "$t" ] && [ -x "$t" ] && cp "$t" "$tdir/"
			done
			cp "$tool" "$tdir/.trampfd" && tool=$tdir/.trampfd
			;;
		esac
	fi
	for c in $cells; do
		case " $suite_skip " in *" $p "*) continue ;; esac
		rm -f "$out/$p-$c.results"
		TRAMPFD_TIMEOUT=$tmo TRAMPFD_TESTDIR=$tdir TRAMPFD_MDWE_RUN=$wrap \
			TRAMPFD_RESULTS=$out/$p-$c.results \
			sh test/runner.sh "$c" --mdwe >/dev/null
		# A cell the policy takes away fails every test at its first
		# create with the same errno: that is the expected refusal.
		f=$out/$p-$c.results
		n=$(cat "$f" 2>/dev/null | grep -c .)
		first=$(grep -c "^FAIL .*: cell $c: first trampfd_create: " "$f")
		why=$(sed -n "s/^FAIL .*: cell $c: first trampfd_create: //p" "$f" | sort -u)
		want=$(echo "$refused" | awk -v p="$p" -v c="$c" \
			'$1 == p && $2 == c { $1 = $2 = ""; sub(/^ +/, ""); print }')
		r=policy-$p-$c/refusal
		if [ "$n" = 0 ]; then
			report "FAIL $r: the suite gave no result lines"
		elif [ "$first" -gt 0 ] && [ "$first" = "$n" ] && [ "$(echo "$why" | wc -l)" = 1 ]; then
			if [ "$why" = "$want" ]; then
				sed -i "s/^FAIL \([^:]*\): .*/SKIP \1: cell $c refused under $p: $why/" "$f"
				report "PASS $r: every create refused: $why"
			elif [ -n "$want" ]; then
				report "FAIL $r: every create refused with $why, expected $want"
			else
				report "FAIL $r: every create refused ($why) where the cell must work"
			fi
		elif [ -n "$want" ]; then
			report "FAIL $r: the cell was not refused (expected $want)"
		else
			report "PASS $r: not refused, the suite ran"
		fi
		echo "$known" | while read -r kp kc kt kwhy; do
			{ [ "$kp" = "*" ] || [ "$kp" = "$p" ]; } &&
			{ [ "$kc" = "*" ] || [ "$kc" = "$c" ]; } || continue
			sed -i "s|^FAIL \(mdwe-$c/$kt\): .*|SKIP \1: known: $kwhy|" "$f"
		done
		sed "s/^\(PASS\|FAIL\|SKIP\) mdwe-/\1 policy-$p-/" "$f" |
		while IFS= read -r l; do report "$l"; done
	done
	# The probe must name what the policy took away.
	"$wrap" "$tool" probe >"$out/probe-$p.txt" 2>&1
	case $p in
	mdwe) want='PR_SET_MDWE +on' ;;
	seccomp-memfd) want='memfd_create refused' ;;
	seccomp-exec) want='cannot be mapped executable' ;;
	noexec-tmp | seccomp-vm-rw) want='works' ;;
	no-dac) want='NOT readable' ;;
	esac
	said=$(grep -E "$want" "$out/probe-$p.txt" | head -n 1 | sed 's/^ *//')
	if [ -n "$said" ]; then
		report "PASS policy-probe/$p: $said"
	elif grep -q 'error while loading shared libraries' "$out/probe-$p.txt"; then
		report "SKIP policy-probe/$p: the trampfd tool is dynamically linked; ld.so cannot map libc under this policy"
	else
		report "FAIL policy-probe/$p: the probe does not name it (want /$want/): $(tail -n 1 "$out/probe-$p.txt")"
	fi
done
exit 0
