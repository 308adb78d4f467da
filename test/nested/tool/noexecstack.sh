#!/bin/sh
# SPDX-License-Identifier: MIT
# trampfd noexecstack and trampfd run --nested, end to end: an executable-
# stack binary with a nested function no longer gets an executable stack
# (so it dies alone) and runs under trampfd run --nested; ELF32/ELF64 in
# both byte orders change in exactly PT_GNU_STACK's flags word; what the
# tool does not understand is refused, with the file left as it was.
# Env: TRAMPFD (the tool), CC, OUT (a scratch directory), TRAMPFD_RESULTS.
set -u
py=/usr/bin/python3
mkdir -p "$OUT"
report() {
	echo "$1"
	if [ -n "${TRAMPFD_RESULTS:-}" ]; then echo "$1" >>"$TRAMPFD_RESULTS"; fi
}

cat >"$OUT/n.c" <<'EOT'
static int apply(int (*f)(int), int x) { int (*volatile g)(int) = f; return g(x); }
int main(void) { int k = 41; int in(int x) { return k + x; } return apply(in, 1) != 42; }
EOT
if ! $CC -O0 -Wl,-z,execstack -o "$OUT/n" "$OUT/n.c" 2>"$OUT/cc.log"; then
	report "FAIL nested-tool/noexecstack-run: build: $(tail -n 1 "$OUT/cc.log")"
elif ! timeout 10 "$OUT/n"; then
	report "FAIL nested-tool/noexecstack-run: the executable-stack build does not run"
elif ! "$TRAMPFD" noexecstack "$OUT/n" >/dev/null; then
	report "FAIL nested-tool/noexecstack-run: trampfd noexecstack failed"
elif timeout 10 "$OUT/n" 2>/dev/null; then
	report "FAIL nested-tool/noexecstack-run: still runs alone: the stack is still executable"
elif ! timeout 10 "$TRAMPFD" run --nested -- "$OUT/n"; then
	report "FAIL nested-tool/noexecstack-run: trampfd run --nested: exit $?"
else
	report "PASS nested-tool/noexecstack-run: dies alone after noexecstack, runs under trampfd run --nested"
fi

if [ ! -x $py ]; then
	report "SKIP nested-tool/noexecstack-forms: no $py to write the test files"
	exit 0
fi
# ELF headers with PT_LOAD then PT_GNU_STACK (RWE): CLASS DATA FILE.
$py - "$OUT" <<'EOT'
import struct, sys
d = sys.argv[1]
for cls in (32, 64):
    for end, tag in (("<", "le"), (">", "be")):
        ehsz, phsz = (52, 32) if cls == 32 else (64, 56)
        ident = b"\x7fELF" + bytes([1 if cls == 32 else 2, 1 if end == "<" else 2, 1]) + bytes(9)
        if cls == 32:
            eh = ident + struct.pack(end + "HHIIIIIHHHHHH", 2, 3, 1, 0, ehsz, 0, 0, ehsz, phsz, 2, 0, 0, 0)
            ph = struct.pack(end + "IIIIIIII", 1, 0, 0, 0, 0, 0, 5, 4096)
            ph += struct.pack(end + "IIIIIIII", 0x6474e551, 0, 0, 0, 0, 0, 7, 16)
        else:
            eh = ident + struct.pack(end + "HHIQQQIHHHHHH", 2, 62, 1, 0, ehsz, 0, 0, ehsz, phsz, 2, 0, 0, 0)
            ph = struct.pack(end + "IIQQQQQQ", 1, 5, 0, 0, 0, 0, 0, 4096)
            ph += struct.pack(end + "IIQQQQQQ", 0x6474e551, 7, 0, 0, 0, 0, 0, 16)
        data = eh + ph + bytes(64)
        open(f"{d}/elf{cls}{tag}", "wb").write(data)
        # What the tool must leave: the same bytes, PF_X cleared.
        at = ehsz + phsz + (24 if cls == 32 else 4)
        want = bytearray(data)
        want[at:at + 4] = struct.pack(end + "I", 6)
        open(f"{d}/elf{cls}{tag}.want", "wb").write(bytes(want))
EOT
for f in elf32le elf32be elf64le elf64be; do
	if ! "$TRAMPFD" noexecstack "$OUT/$f" >/dev/null; then
		report "FAIL nested-tool/noexecstack-$f: refused"
	elif ! cmp -s "$OUT/$f" "$OUT/$f.want"; then
		report "FAIL nested-tool/noexecstack-$f: other bytes changed, or PF_X not cleared"
	else
		report "PASS nested-tool/noexecstack-$f"
	fi
done

# Refused, unchanged: not ELF, no program headers (an object file), a
# program header table past the end, an unknown class.
printf 'not an elf file\n' >"$OUT/text"
printf 'int x;\n' | $CC -x c -c -o "$OUT/obj.o" - 2>/dev/null
head -c 64 "$OUT/elf64le" >"$OUT/short"
$py -c "import sys; b = bytearray(open(sys.argv[1], 'rb').read()); b[4] = 3; open(sys.argv[2], 'wb').write(b)" \
	"$OUT/elf64le.want" "$OUT/badclass"
for f in text obj.o short badclass; do
	cp "$OUT/$f" "$OUT/$f.orig"
	if "$TRAMPFD" noexecstack "$OUT/$f" >/dev/null 2>"$OUT/$f.err"; then
		report "FAIL nested-tool/noexecstack-refuse-$f: accepted"
	elif ! cmp -s "$OUT/$f" "$OUT/$f.orig"; then
		report "FAIL nested-tool/noexecstack-refuse-$f: the file changed"
	elif ! grep -q 'left unchanged' "$OUT/$f.err"; then
		report "FAIL nested-tool/noexecstack-refuse-$f: no clear message: $(cat "$OUT/$f.err")"
	else
		report "PASS nested-tool/noexecstack-refuse-$f: $(sed 's/.*: \([^:]*\); file left unchanged/\1/' "$OUT/$f.err")"
	fi
done
exit 0
