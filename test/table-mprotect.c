// SPDX-License-Identifier: MIT
/*
 * Code mode: the code is mapped read+exec without VM_MAYWRITE (the module
 * clears it; the user provider maps its own file MAP_SHARED through an
 * O_RDONLY descriptor), so mprotect cannot make it writable (EACCES) and
 * smaps shows no "mw" flag; the trampolines keep working afterwards. Fault
 * mode maps no code at all and skips.
 */
#include <errno.h>
#include <sys/mman.h>
#include "t.h"

/* The VmFlags line of the smaps entry that starts at lo. */
static int vmflags(uintptr_t lo, char *out, size_t len)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[512];
	int in = 0;

	if (!f)
		return -1;
	out[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;

		if (sscanf(line, "%lx-%lx ", &a, &b) == 2)
			in = a == lo;
		else if (in && !strncmp(line, "VmFlags:", 8)) {
			snprintf(out, len, "%s", line + 8);
			break;
		}
	}
	fclose(f);
	return out[0] ? 0 : -1;
}

/* The perms column of the /proc/self/maps line that starts at lo. */
static int perms(uintptr_t lo, char out[5])
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	unsigned long a, b;
	int found = -1;

	if (!f)
		return -1;
	while (found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %4s", &a, &b, out) == 3 && a == lo)
			found = 0;
	fclose(f);
	return found;
}

/*
 * Fault mode: nothing executes there (the module's mapping is VM_EXEC with
 * no pages; the user provider's is PROT_NONE), so it must be neither
 * readable nor writable.
 */
static int fault_mode(struct t_table *t)
{
	char p[5];

	t_set_call_ok(t->fd, 1, (void *)t_ret_arg0, 11);
	T_ASSERT(!perms((uintptr_t)t->base, p), "no /proc/self/maps line for the table");
	T_ASSERT(p[0] == '-' && p[1] == '-',
		 "fault-mode table mapped %s, want neither read nor write", p);
	T_EXPECT(((t_fn0)t_slot(t, 1))(), 11);
	T_EXPECT(trampfd_close(t->fd), 0);
	T_EXPECT(trampfd_munmap(t->base), 0);
	return t_pass();
}

int main(void)
{
	struct t_table t;
	char fl[512];
	uintptr_t code;

	t_init();
	t_table(&t, 4, 0);
	if (t_is_fault(t.fd))
		return fault_mode(&t);
	t_set_call_ok(t.fd, 3, (void *)t_ret_arg0, 33);
	T_EXPECT(((t_fn0)t_slot(&t, 3))(), 33);
	code = (uintptr_t)t_slot(&t, 0) & ~(uintptr_t)4095;
	if (!mprotect((void *)code, 4096, PROT_READ | PROT_WRITE))
		t_fail("mprotect(PROT_READ | PROT_WRITE) on the code page succeeded");
	T_ASSERT(errno == EACCES, "mprotect: errno %d, want EACCES", errno);
	if (!mprotect((void *)code, 4096, PROT_READ | PROT_WRITE | PROT_EXEC))
		t_fail("mprotect(PROT_READ | PROT_WRITE | PROT_EXEC) on the code page succeeded");
	if (vmflags((uintptr_t)t.base, fl, sizeof(fl)))
		t_note("no smaps VmFlags line for the table: flag check not done");
	else
		T_ASSERT(!strstr(fl, " mw"), "table mapping may become writable: VmFlags%s", fl);
	T_EXPECT(((t_fn0)t_slot(&t, 3))(), 33);
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	return t_pass();
}
