#!/bin/sh
# SPDX-License-Identifier: MIT
# readme.sh RESULTS: the README's two set-up commands are the ones the
# scripts implement. The first runs verbatim with stand-ins for apt-get and
# sudo that record their arguments (nothing is installed): as root it must
# call apt-get directly, as a user (nobody, through runuser) through sudo.
# The second must be .ci/run, which ends in "make check" and, run by a
# user, runs itself through sudo. The README's example must be
# examples/table.c. One PASS/FAIL/SKIP line each.
r=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
say() { echo "$1" | tee -a "$r"; }

# The indented lines of the set-up section are its commands.
cmds=$(sed -n '/^## Set up on a fresh Debian 12 machine/,/^## /p' README.md | sed -n 's/^    \(.*\)/\1/p')
c1=$(echo "$cmds" | sed -n 1p)
c2=$(echo "$cmds" | sed -n 2p)
n=$(echo "$cmds" | grep -c .)
pkgs=$(echo "$c1" | sed -n 's/^sh \.ci\/apt-install \([^&]*\) && .*/\1/p')
missing=
for p in $pkgs; do grep -qw -- "$p" .ci/run || missing="$missing $p"; done
last=$(grep -v '^[[:space:]]*\(#\|$\)' .ci/run | tail -n 1)
if [ "$n" != 2 ]; then say "FAIL setup/readme-commands: the set-up section has $n commands, not 2"
elif [ -z "$pkgs" ]; then say "FAIL setup/readme-commands: first command is not 'sh .ci/apt-install PKG... && ...': $c1"
elif [ -n "$missing" ]; then say "FAIL setup/readme-commands: .ci/run does not install$missing"
elif [ "$c2" != ".ci/run" ]; then say "FAIL setup/readme-commands: second command is '$c2', not .ci/run"
elif [ ! -x .ci/run ] || [ "$last" != "make check" ]; then
	say "FAIL setup/readme-commands: .ci/run is not executable or does not end in 'make check' ($last)"
else say "PASS setup/readme-commands"; fi

# Stand-ins: apt-get records; sudo records, then runs its command unless
# it is .ci/run (the whole CI run is not what is tested here).
mkdir "$tmp/bin"
cat >"$tmp/bin/apt-get" <<'EOT'
#!/bin/sh
echo "apt-get $*" >>"$STUB_LOG"
EOT
cat >"$tmp/bin/sudo" <<'EOT'
#!/bin/sh
echo "sudo $*" >>"$STUB_LOG"
[ "$1" = -- ] && shift
case "$1" in */run) exit 0 ;; esac
exec "$@"
EOT
chmod 755 "$tmp/bin/apt-get" "$tmp/bin/sudo"
: >"$tmp/log" && chmod 666 "$tmp/log"
stub="env STUB_LOG=$tmp/log PATH=$tmp/bin:$PATH"
want="apt-get install -y $pkgs"

if [ "$(id -u)" = 0 ]; then
	if ! $stub sh -c "$c1" >"$tmp/out" 2>&1; then
		say "FAIL setup/readme-root: the first command failed: $(tail -n 1 "$tmp/out")"
	elif grep -q '^sudo' "$tmp/log" || ! grep -qx "$want" "$tmp/log"; then
		say "FAIL setup/readme-root: as root, wanted '$want' without sudo, got: $(tr '\n' ';' <"$tmp/log")"
	else say "PASS setup/readme-root"; fi
else
	say "SKIP setup/readme-root: not root"
fi

if [ "$(id -u)" != 0 ] || ! command -v runuser >/dev/null; then
	say "SKIP setup/readme-user: needs root and runuser to run as another user"
else
	: >"$tmp/log"
	cp .ci/apt-install .ci/run "$tmp/" && chmod 755 "$tmp/run"
	# As nobody: the first command's install part, then .ci/run.
	(cd "$tmp" && runuser -u nobody -- $stub sh ./apt-install $pkgs) >"$tmp/out" 2>&1
	(cd "$tmp" && runuser -u nobody -- $stub ./run) >>"$tmp/out" 2>&1
	if grep -qx "sudo $want" "$tmp/log" && grep -qx "sudo -- ./run" "$tmp/log"; then
		say "PASS setup/readme-user"
	else
		say "FAIL setup/readme-user: as a user, wanted 'sudo $want' and 'sudo -- ./run', got: $(tr '\n' ';' <"$tmp/log")"
	fi
fi

# Each "This is `examples/NAME`" follows that file's code, without the
# file's leading comment lines (licence, one-line summary).
mkdir "$tmp/ex"
awk -v dir="$tmp/ex" '
	/^```c$/ { inblock = 1; code = ""; next }
	inblock && /^```$/ { inblock = 0; last = code; next }
	inblock { code = code $0 "\n"; next }
	/^This is `examples\/[^`]*`/ {
		name = $0; sub(/^This is `examples\//, "", name); sub(/`.*/, "", name)
		printf "%s", last > (dir "/" name); close(dir "/" name) }' README.md
n=0 bad=
for f in "$tmp"/ex/*; do
	[ -e "$f" ] || continue
	n=$((n + 1))
	awk 'top && (/^\/\// || /^\/\*.*\*\/$/) { next } { top = 0; print }' top=1 \
		"examples/${f##*/}" 2>/dev/null | cmp -s - "$f" || bad="$bad ${f##*/}"
done
if [ "$n" = 0 ]; then say "FAIL setup/readme-example: no 'This is \`examples/...\`' after a code block"
elif [ -n "$bad" ]; then say "FAIL setup/readme-example: the README's code differs from examples/:$bad"
else say "PASS setup/readme-example"; fi
