// SPDX-License-Identifier: MIT
/*
 * What an attacker with memory access can change (docs/security.md):
 *  smash     every copy of a context's values in writable memory is
 *            overwritten: calls and pread are unchanged; with
 *            TRAMPFD_FASTWRITE they DO change (the documented trade).
 *  procmem   writes through /proc/self/mem (which ignores page
 *            protections) into the context store fail.
 *  mprotect  PROT_WRITE on the context store fails.
 *  mremap    a moved table's calls fault; its old range still calls the
 *            same context in fault mode and faults in code mode.
 *  pcs       a second allowed-PC write is -EPERM, as is one after a
 *            register context.
 *  redirect  every pointer to the store in writable memory is replaced by
 *            a pointer to a forged copy: calls and pread are unchanged, and
 *            so are a context written after and its call (the library
 *            finds stores only through read-only anchors).
 *  anchor    a table's anchor index pointed at another table's: the next
 *            write aborts the process (in a child), the other table is
 *            untouched.
 *  chunk     (user-code) the table's private writable state wiped, then a
 *            one-register context for another register written into a
 *            chunk with a live slot: the chunk's code is not remapped, the
 *            live slot's call and read-back are unchanged.
 *  anchors   the anchors (grace regions, stores, fault regions) refuse a
 *            plain store, mprotect(PROT_WRITE) and /proc/self/mem.
 * The context store is every mapping of a "memfd:trampfd" file.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "t.h"
/* The library's own state, as an attacker who knows its layout sees it. */
#include "user-code/code.h"

#define V_ARG	0
#define NSAVE	256

static uint64_t key;

static uint64_t val(void) { return key ^ 0x9e3779b97f4a7c15ULL; }

static __attribute__((noinline)) uint64_t other_target(uint64_t a)
{
	__asm__ volatile("" : "+r"(a));
	return ~a;
}

/* ---- smash: overwrite every copy of one 8-byte value ---- */

struct smash {
	uint64_t from, to;
	unsigned long found;
	/* where we wrote, to undo it (redirect) */
	uint64_t *where[NSAVE];
	unsigned int n;
};

static int smash_cb(const struct t_map *m, void *arg)
{
	struct smash *s = arg;
	uint8_t *p, *end;

	if (m->perms[0] != 'r' || m->perms[1] != 'w' || !strcmp(m->path, "[vvar]"))
		return 0;
	/* Our own argument block holds the value too: leave it be. */
	end = (uint8_t *)m->hi - 8;
	for (p = (uint8_t *)m->lo; p <= end; p++) {
		uint64_t w;

		if (*p != (uint8_t)s->from || (uintptr_t)p - (uintptr_t)&s->from < 8)
			continue;
		memcpy(&w, p, 8);
		if (w != s->from)
			continue;
		memcpy(p, &s->to, 8);
		if (s->n < NSAVE)
			s->where[s->n++] = (uint64_t *)p;
		s->found++;
	}
	return 0;
}

static unsigned long smash_all(struct smash *s)
{
	s->found = s->n = 0;
	t_maps_each(smash_cb, s);
	return s->found;
}

static uint64_t call(void *p)
{
	uint64_t r = 0;
	int sig = t_sig_call_tramp(p, &r);

	if (sig)
		t_fail("trampoline %p raised %s", p, t_signame(sig));
	return r;
}

static void smash_test(unsigned int extra)
{
	struct t_table t;
	struct smash s;
	unsigned long n;
	uint64_t v = val(), r;
	long w;

	t_table(&t, 2, extra);
	t_set_call_ok(t.fd, 1, (void *)t_ret_arg0, v);
	T_EXPECT(call(t_slot(&t, 1)), v);
	s.from = v;
	s.to = ~v;
	v = 0;	/* keep no copy of our own */
	n = smash_all(&s);
	r = call(t_slot(&t, 1));
	v = ~s.to;
	if (extra & TRAMPFD_FASTWRITE) {
		/* The trade FASTWRITE makes: the context is in writable memory. */
		T_ASSERT(r == ~v, "FASTWRITE: %lu copies smashed, yet the call still "
			 "returns the written value", n);
		printf("smash FASTWRITE: %lu copies smashed, call changed (by design)\n", n);
	} else {
		T_ASSERT(r == v, "smash: the call changed after %lu copies in writable "
			 "memory were overwritten", n);
		w = trampfd_pread(t.fd, &(struct t_regs){ 0 }, sizeof(struct t_regs),
				  TRAMPFD_OFFSET(1, TRAMPFD_REGS_OFFSET));
		T_ASSERT(w > 0, "pread after smashing: %ld", w);
		printf("smash: %lu copies in writable memory smashed, call unchanged\n", n);
	}
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
}

/* ---- the store's mappings ---- */

struct stores {
	struct t_map m[16];
	unsigned int n;
};

static int store_cb(const struct t_map *m, void *arg)
{
	struct stores *s = arg;

	if (strncmp(m->path, "/memfd:trampfd", 14) || !strncmp(m->path, "/memfd:trampfd-", 15))
		return 0;
	if (s->n < 16)
		s->m[s->n++] = *m;
	return 0;
}

static void find_stores(struct stores *s)
{
	s->n = 0;
	t_maps_each(store_cb, s);
}

static void procmem_mprotect_test(void)
{
	struct t_table t;
	struct stores s;
	unsigned int k, ro = 0;
	uint64_t v = val();
	int fd;

	t_table(&t, 2, 0);
	t_set_call_ok(t.fd, 0, (void *)t_ret_arg0, v);
	T_EXPECT(call(t_slot(&t, 0)), v);
	find_stores(&s);
	if (!s.n) {
		printf("mprotect/procmem: no memfd store in this cell (%s)\n", t_cell);
		goto out;
	}
	fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	for (k = 0; k < s.n; k++) {
		void *lo = (void *)s.m[k].lo;
		size_t len = s.m[k].hi - s.m[k].lo;
		uint64_t junk = ~v;

		if (s.m[k].perms[1] == 'w')
			t_fail("store mapping %p is writable (%s)", lo, s.m[k].perms);
		errno = 0;
		if (!mprotect(lo, len, PROT_READ | PROT_WRITE))
			t_fail("mprotect(PROT_WRITE) on the store at %p succeeded", lo);
		T_ASSERT(errno == EACCES || errno == EPERM,
			 "mprotect(PROT_WRITE) on the store: errno %d, want EACCES", errno);
		if (fd >= 0) {
			/* FOLL_FORCE: only a mapping without VM_MAYWRITE resists. */
			for (size_t o = 0; o < len; o += 4096)
				if (pwrite(fd, &junk, 8, (off_t)(uintptr_t)lo + o) == 8)
					t_fail("/proc/self/mem wrote into the store at %p + %#zx",
					       lo, o);
		}
		ro++;
	}
	if (fd >= 0)
		close(fd);
	T_EXPECT(call(t_slot(&t, 0)), v);
	printf("mprotect/procmem: %u store mappings refuse PROT_WRITE and /proc/self/mem%s\n",
	       ro, fd < 0 ? " (no /proc/self/mem)" : "");
out:
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
}

/* ---- mremap of the code table ---- */

static void mremap_test(void)
{
	struct t_table t;
	uint64_t v = val(), r;
	size_t len;
	void *dst, *moved;
	int sig;

	t_table(&t, 2, 0);
	t_set_call_ok(t.fd, 1, (void *)t_ret_arg0, v);
	T_EXPECT(call(t_slot(&t, 1)), v);
	len = t.map.size;
	/* A destination nobody else uses: reserve, then move onto it. */
	dst = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_ASSERT(dst != MAP_FAILED, "mmap");
	moved = mremap(t.base, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	if (moved == MAP_FAILED) {
		printf("mremap: refused (%s): the table cannot be moved\n", strerror(errno));
		munmap(dst, len);
	} else {
		void *p = (char *)moved + t.map.ioffset + t.map.stride;

		/* Neither cell follows a moved table: its calls fault. */
		sig = t_sig_call_tramp(p, &r);
		T_ASSERT(sig, "moved table: call returned %#llx, want a fault",
			 (unsigned long long)r);
		printf("mremap: moved table faults\n");
		/*
		 * The old range, empty now: fault mode still emulates a call
		 * there from the table's anchor; code mode has no code there.
		 */
		sig = t_sig_call_tramp(t_slot(&t, 1), &r);
		if (!strcmp(trampfd_mode(t.fd), "fault"))
			T_ASSERT(!sig && r == v, "old range after mremap: %s %#llx, want the "
				 "same context", sig ? "fault, r =" : "call returned",
				 (unsigned long long)r);
		else
			T_ASSERT(sig, "old range after mremap: call returned %#llx, want a fault",
				 (unsigned long long)r);
		printf("mremap: old range %s\n", sig ? "faults" : "still calls the same context");
		/* Put it back so trampfd_munmap finds its table. */
		T_ASSERT(mremap(moved, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, t.base) == t.base,
			 "mremap back: %s", strerror(errno));
	}
	T_EXPECT(call(t_slot(&t, 1)), v);
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
}

/* ---- the allowed-PC list is write-once ---- */

static long write_pcs(int fd, uint64_t pc)
{
	struct {
		struct trampfd_values h;
		uint64_t v[1];
	} p = { { 1, 0 }, { pc } };

	return trampfd_pwrite(fd, &p, sizeof(p), TRAMPFD_ALLOWED_PCS_OFFSET);
}

static void pcs_test(void)
{
	struct t_table t;
	uint64_t v = val();
	long r;

	t_table(&t, 2, 0);
	T_EXPECT(write_pcs(t.fd, (uintptr_t)t_ret_arg0), 16);
	T_EXPECT(write_pcs(t.fd, (uintptr_t)other_target), -EPERM);
	T_EXPECT(t_set_call(t.fd, 0, (void *)other_target, v), -EINVAL);
	t_set_call_ok(t.fd, 0, (void *)t_ret_arg0, v);
	T_EXPECT(write_pcs(t.fd, (uintptr_t)other_target), -EPERM);
	T_EXPECT(call(t_slot(&t, 0)), v);
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);

	/* A register context first: the list can no longer be set. */
	t_table(&t, 1, 0);
	t_set_call_ok(t.fd, 0, (void *)t_ret_arg0, v);
	r = write_pcs(t.fd, (uintptr_t)other_target);
	T_EXPECT(r, -EPERM);
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	printf("pcs: second list and list after a context both -EPERM\n");
}

/* ---- redirect: pointers to the store, replaced by a forged copy ---- */

static void set_general(int fd, unsigned int i, uint64_t v)
{
	uint32_t names[4] = { x64_rsi, x64_rdx, x64_rdi, x64_rip };
	uint64_t vals[4] = { 1, 2, v, (uintptr_t)t_ret_arg0 };
	struct t_regs r;
	size_t len = t_regs_fill(&r, 4, names, vals);

	T_EXPECT(trampfd_pwrite(fd, &r, len, TRAMPFD_OFFSET(i, TRAMPFD_REGS_OFFSET)), len);
}

static void redirect_test(void)
{
	struct t_table t;
	struct stores st;
	struct smash s[16];
	uint64_t v = val(), r[2], forged_v = v ^ 0xffff0000ULL;
	unsigned long n = 0;
	uint8_t *copy[16], *p;
	unsigned int k, j, followed = 0;
	int sig[2], pread_forged;
	struct t_regs rr;
	long pr;

	t_table(&t, 2, 0);
	t_set_call_ok(t.fd, 1, (void *)t_ret_arg0, v);	/* one register: a fast slot */
	set_general(t.fd, 0, v);			/* three: the general path */
	T_EXPECT(call(t_slot(&t, 0)), v);
	T_EXPECT(call(t_slot(&t, 1)), v);
	find_stores(&st);
	/* A forged copy of each store mapping, the context value replaced. */
	for (k = 0; k < st.n; k++) {
		size_t len = st.m[k].hi - st.m[k].lo;

		copy[k] = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		T_ASSERT(copy[k] != MAP_FAILED, "mmap");
		memcpy(copy[k], (void *)st.m[k].lo, len);
		for (p = copy[k]; p + 8 <= copy[k] + len; p += 8)
			if (!memcmp(p, &v, 8))
				memcpy(p, &forged_v, 8);
	}
	for (k = 0; k < st.n; k++) {
		s[k].from = st.m[k].lo;
		s[k].to = (uintptr_t)copy[k];
		n += smash_all(&s[k]);
	}
	for (j = 0; j < 2; j++)
		sig[j] = t_sig_call_tramp(t_slot(&t, j), &r[j]);
	/* The RFC's tamper check: does pread see the forged context? */
	memset(&rr, 0, sizeof(rr));
	pr = trampfd_pread(t.fd, &rr, sizeof(rr), TRAMPFD_OFFSET(1, TRAMPFD_REGS_OFFSET));
	pread_forged = pr > 0 && (rr.r[0].value == forged_v || rr.r[1].value == forged_v);
	/* Undo, so close and munmap release the real store. */
	for (k = st.n; k-- > 0;)
		for (j = 0; j < s[k].n; j++)
			memcpy(s[k].where[j], &s[k].from, 8);
	for (j = 0; j < 2; j++) {
		if (!sig[j] && r[j] == forged_v) {
			followed++;
			continue;
		}
		T_ASSERT(!sig[j] && r[j] == v, "redirect: slot %u %s %#llx, want %#llx", j,
			 sig[j] ? "faulted, r =" : "returned", (unsigned long long)r[j],
			 (unsigned long long)v);
	}
	T_ASSERT(!followed, "redirect: %s-%s followed a forged context through %lu pointers",
		 trampfd_provider(t.fd), trampfd_mode(t.fd), n);
	T_ASSERT(!pread_forged, "redirect: pread showed the forged context (%lu pointers)", n);
	printf("redirect: resisted: %lu pointers to %u store mappings replaced, calls and "
	       "pread unchanged\n", n, st.n);
	T_EXPECT(call(t_slot(&t, 0)), v);
	T_EXPECT(call(t_slot(&t, 1)), v);
	/* Redirected again: a write after goes to the real store, and is called. */
	for (k = 0; k < st.n; k++)
		smash_all(&s[k]);
	t_set_call_ok(t.fd, 1, (void *)t_ret_arg0, v + 1);
	set_general(t.fd, 0, v + 2);
	sig[0] = t_sig_call_tramp(t_slot(&t, 0), &r[0]);
	sig[1] = t_sig_call_tramp(t_slot(&t, 1), &r[1]);
	memset(&rr, 0, sizeof(rr));
	pr = trampfd_pread(t.fd, &rr, sizeof(rr), TRAMPFD_OFFSET(1, TRAMPFD_REGS_OFFSET));
	for (k = st.n; k-- > 0;)
		for (j = 0; j < s[k].n; j++)
			memcpy(s[k].where[j], &s[k].from, 8);
	T_ASSERT(!sig[0] && !sig[1] && r[0] == v + 2 && r[1] == v + 1,
		 "redirect: a write after the redirection was not what the calls saw");
	T_ASSERT(pr > 0 && (rr.r[0].value == v + 1 || rr.r[1].value == v + 1),
		 "redirect: pread of a write after the redirection differs");
	for (k = 0; k < st.n; k++)
		munmap(copy[k], st.m[k].hi - st.m[k].lo);
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
}

/* ---- anchor: a table's anchor index swapped for another table's ---- */

static void anchor_test(void)
{
	struct t_table a, b;
	struct tfd_handle *h;
	uint64_t v = val();
	pid_t pid;
	int st;

	t_table(&a, 1, 0);
	t_table(&b, 1, 0);
	t_set_call_ok(a.fd, 0, (void *)t_ret_arg0, v);
	t_set_call_ok(b.fd, 0, (void *)t_ret_arg0, v + 1);
	pid = fork();
	T_ASSERT(pid >= 0, "fork");
	if (!pid) {
		struct ut_table *ta, *tb;

		signal(SIGABRT, SIG_DFL);
		h = tfd_fdtab_get(a.fd);
		ta = (struct ut_table *)h;
		h = tfd_fdtab_get(b.fd);
		tb = (struct ut_table *)h;
		ta->anchor = tb->anchor;	/* the attack: one store */
		t_set_call(a.fd, 0, (void *)other_target, v + 7);
		_exit(0);
	}
	T_ASSERT(waitpid(pid, &st, 0) == pid, "waitpid");
	T_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT,
		 "anchor: a write through a swapped anchor did not abort (status %#x)", st);
	T_EXPECT(call(t_slot(&a, 0)), v);
	T_EXPECT(call(t_slot(&b, 0)), v + 1);
	printf("anchor: a swapped anchor index aborts the write; both tables unchanged\n");
	T_EXPECT(trampfd_close(a.fd), 0);
	T_EXPECT(trampfd_munmap(a.base), 0);
	T_EXPECT(trampfd_close(b.fd), 0);
	T_EXPECT(trampfd_munmap(b.base), 0);
}

/* ---- chunk: the private state wiped under a live chunk ---- */

static __attribute__((noinline)) uint64_t ret_arg1(uint64_t a, uint64_t b)
{
	__asm__ volatile("" : "+r"(b));
	return b;
}

static void chunk_test(void)
{
	uint32_t names[2] = { TRAMPFD_REG_ARG1, TRAMPFD_REG_PC };
	uint64_t vals[2] = { 0, (uintptr_t)ret_arg1 }, v = val();
	struct tfd_handle *h;
	struct uc_table *ut;
	struct t_regs rr;
	struct t_table t;
	size_t len;

	t_table(&t, 4, 0);
	if (!t_is_user(t.fd) || t_is_fault(t.fd)) {
		printf("chunk: no code chunks in this cell (%s)\n", t_cell);
		goto out;
	}
	t_set_call_ok(t.fd, 0, (void *)t_ret_arg0, v);	/* the chunk is arg0's now */
	h = tfd_fdtab_get(t.fd);
	ut = (struct uc_table *)h;
	memset(ut->slots, 0, ut->priv_len);		/* the attack: every byte */
	tfd_handle_put(h);
	vals[0] = v + 3;
	len = t_regs_fill(&rr, 2, names, vals);
	T_EXPECT(trampfd_pwrite(t.fd, &rr, len, TRAMPFD_OFFSET(1, TRAMPFD_REGS_OFFSET)), len);
	T_EXPECT(call(t_slot(&t, 0)), v);
	T_EXPECT(((uint64_t (*)(uint64_t, uint64_t))t_slot(&t, 1))(0, 0), v + 3);
	memset(&rr, 0, sizeof(rr));
	T_ASSERT(trampfd_pread(t.fd, &rr, sizeof(rr), TRAMPFD_REGS_OFFSET) > 0 &&
		 rr.r[0].value == v, "chunk: pread of the live slot changed");
	printf("chunk: private state wiped, another register's write: live slot unchanged\n");
out:
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
}

/* ---- anchors: read-only to every means but the library's pwrite ---- */

static sigjmp_buf store_out;

static void on_store_fault(int sig)
{
	siglongjmp(store_out, 1);
}

static void anchors_test(void)
{
	struct sigaction sa = { .sa_handler = on_store_fault }, segv, bus;
	volatile uint64_t *targets[3] = {
		&tfd_anchors.uc_hwm, &tfd_anchors.uc[0].start, &tfd_anchors.ut[0].view,
	};
	uint64_t junk = 0x4141414141414141ULL;
	volatile unsigned int k;
	int fd;

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NODEFER;
	for (k = 0; k < 3; k++) {
		sigaction(SIGSEGV, &sa, &segv);
		sigaction(SIGBUS, &sa, &bus);
		if (!sigsetjmp(store_out, 1)) {
			*targets[k] = junk;		/* must fault */
			t_fail("anchors: a plain store into the anchors succeeded");
		}
		sigaction(SIGSEGV, &segv, NULL);	/* the library's handler back */
		sigaction(SIGBUS, &bus, NULL);
	}
	T_ASSERT(mprotect((void *)&tfd_anchors, 65536, PROT_READ | PROT_WRITE) < 0,
		 "anchors: mprotect(PROT_WRITE) succeeded");
	fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		T_ASSERT(pwrite(fd, &junk, 8, (off_t)(uintptr_t)&tfd_anchors.uc_hwm) != 8,
			 "anchors: /proc/self/mem wrote into them");
		close(fd);
	}
	printf("anchors: plain stores fault, mprotect and /proc/self/mem refused\n");
}

int main(void)
{
	t_init();
	if (getrandom(&key, sizeof(key), 0) != sizeof(key))
		key = (uint64_t)time(NULL) * 0x2545f4914f6cdd1dULL;
	smash_test(0);
	if (!(t_cell_flags & TRAMPFD_KERNEL))
		smash_test(TRAMPFD_FASTWRITE);
	procmem_mprotect_test();
	mremap_test();
	pcs_test();
	redirect_test();
	anchor_test();
	chunk_test();
	anchors_test();
	return t_pass();
}
