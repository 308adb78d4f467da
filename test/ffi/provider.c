// SPDX-License-Identifier: MIT
/*
 * libtrampfd-ffi, linked before -lffi: closures are trampfd code whose
 * record is read-only; re-prep, a refused prep, bad input (freed twice,
 * NULL, prep after free, a wrong code address, a closure of the real
 * libffi) give defined results; a freed closure faults; 1000 closures at
 * once; two threads allocate, prep, call and free at once; fork keeps
 * parent and child apart (man/libtrampfd-ffi.7).
 */
#include <dlfcn.h>
#include <errno.h>
#include <ffi.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "t.h"

typedef int (*cmp_t)(const void *, const void *);
static ffi_cif cif;
static ffi_type *atypes[2] = { &ffi_type_pointer, &ffi_type_pointer };

/* int cmp(const int *, const int *), counting its calls in *ud. */
static void cmp_fn(ffi_cif *c, void *ret, void **args, void *ud)
{
	int a = **(int **)args[0], b = **(int **)args[1];

	*(ffi_arg *)ret = (ffi_arg)(ffi_sarg)((a > b) - (a < b));
	++*(int *)ud;
}

static int call(void *code, int a, int b)
{
	return ((cmp_t)code)(&a, &b);
}

/* The signal a call of code in a child dies of, or 0. */
static int call_in_child(void *code)
{
	struct rlimit no_core = { 0, 0 };
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		setrlimit(RLIMIT_CORE, &no_core);
		call(code, 1, 2);
		_exit(0);
	}
	T_ASSERT(pid > 0 && waitpid(pid, &st, 0) == pid, "fork/waitpid");
	return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
}

/* The /proc/self/maps line of addr's mapping (perms in *perms). */
static int maps_of(uintptr_t addr, char perms[5], char *name, size_t len)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int found = 0;

	T_ASSERT(f, "/proc/self/maps: %s", strerror(errno));
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char path[256] = "";

		if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %255[^\n]", &lo, &hi, perms, path) < 3)
			continue;
		if (strstr(perms, "w") && strstr(perms, "x"))
			t_fail("a writable+executable mapping: %s", line);
		if (addr >= lo && addr < hi) {
			snprintf(name, len, "%s", path);
			found = 1;
		}
	}
	fclose(f);
	return found;
}

static void check_record_readonly(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int seen = 0;

	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char perms[5];

		if (!strstr(line, "trampfd-ffi") || strstr(line, ".so"))
			continue;
		T_ASSERT(sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3, "maps: %s", line);
		T_ASSERT(!strchr(perms, 'w'), "the records are writable: %s", line);
		/* Mapped through an O_RDONLY description: not even mprotect. */
		T_ASSERT(mprotect((void *)lo, 4096, PROT_READ | PROT_WRITE) == -1 && errno == EACCES,
			 "mprotect made the records writable (or failed with %s)", strerror(errno));
		seen = 1;
	}
	if (f)
		fclose(f);
	T_ASSERT(seen, "no memfd:trampfd-ffi mapping: where are the records?");
}

static void foreign(void)
{
	void *h = dlopen("libffi.so.8", RTLD_NOLOAD | RTLD_LAZY), *code;
	void *(*real_alloc)(size_t, void **);
	ffi_closure *c;
	int n = 0;

	T_ASSERT(h, "libffi.so.8 not loaded: %s", dlerror());
	real_alloc = (void *(*)(size_t, void **))dlvsym(h, "ffi_closure_alloc", "LIBFFI_CLOSURE_8.0");
	T_ASSERT(real_alloc, "dlvsym: %s", dlerror());
	c = real_alloc(sizeof(*c), &code);
	if (!c) {
		t_note("libffi's own ffi_closure_alloc fails under this policy: no foreign closure");
		return;
	}
	/* Not ours: the real prep and free serve it, as without the provider. */
	T_EXPECT(ffi_prep_closure_loc(c, &cif, cmp_fn, &n, code), FFI_OK);
	T_EXPECT(call(code, 3, 2), 1);
	T_EXPECT(n, 1);
	ffi_closure_free(c);
}

/* Each thread's closures see only its own user data. */
static void *churn(void *arg)
{
	for (int i = 0; i < 2000; i++) {
		int n = 0;
		void *code;
		ffi_closure *c = ffi_closure_alloc(sizeof(*c), &code);

		if (!c || ffi_prep_closure_loc(c, &cif, cmp_fn, &n, code) != FFI_OK ||
		    call(code, i, 5) != (i > 5) - (i < 5) || n != 1)
			return (void *)"a closure failed under concurrent alloc/prep/free";
		ffi_closure_free(c);
	}
	return arg;
}

static void threads(void)
{
	pthread_t t[2];
	void *r[2];

	for (int k = 0; k < 2; k++)
		T_ASSERT(!pthread_create(&t[k], NULL, churn, NULL), "pthread_create");
	for (int k = 0; k < 2; k++) {
		pthread_join(t[k], &r[k]);
		T_ASSERT(!r[k], "%s", (char *)r[k]);
	}
}

static void forked(void)
{
	int mine = 0, child_n = 0, st;
	void *code;
	ffi_closure *c = ffi_closure_alloc(sizeof(*c), &code);
	pid_t pid;

	T_ASSERT(c, "alloc");
	T_EXPECT(ffi_prep_closure_loc(c, &cif, cmp_fn, &mine, code), FFI_OK);
	pid = fork();
	if (pid == 0) {
		/* The child re-preps and frees: the parent's closure must not see it. */
		int ok = ffi_prep_closure_loc(c, &cif, cmp_fn, &child_n, code) == FFI_OK &&
			 call(code, 1, 1) == 0 && child_n == 1 && mine == 0;

		ffi_closure_free(c);
		_exit(ok ? 0 : 1);
	}
	T_ASSERT(pid > 0 && waitpid(pid, &st, 0) == pid, "fork/waitpid");
	T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child: prep/call failed (status %#x)", st);
	T_EXPECT(call(code, 2, 1), 1);
	T_EXPECT(mine, 1);
	ffi_closure_free(c);
}

int main(void)
{
	enum { N = 1000 };
	static ffi_closure *many[N];
	static void *codes[N];
	static int counts[N];
	int n1 = 0, n2 = 0, v[] = { 5, 3, 9, 1, 7 };
	char perms[5], name[256];
	ffi_cif bad;
	Dl_info di;
	void *code;
	ffi_closure *c;

	T_ASSERT(dladdr((void *)ffi_closure_alloc, &di) && strstr(di.dli_fname, "libtrampfd-ffi"),
		 "ffi_closure_alloc is not the provider's (%s)", di.dli_fname);
	T_EXPECT(ffi_prep_cif(&cif, FFI_DEFAULT_ABI, 2, &ffi_type_sint, atypes), FFI_OK);
	T_ASSERT(ffi_closure_alloc(sizeof(*c), NULL) == NULL, "alloc with code NULL");

	c = ffi_closure_alloc(sizeof(*c), &code);
	T_ASSERT(c && code && code != (void *)c, "alloc: %p %p", (void *)c, code);
	T_ASSERT(maps_of((uintptr_t)code, perms, name, sizeof(name)) && !strchr(perms, 'w'),
		 "the code address is not a read-only mapping (%s)", perms);
	T_ASSERT(call_in_child(code) == SIGSEGV, "an unprepared closure does not fault");
	T_EXPECT(ffi_prep_closure_loc(c, &cif, cmp_fn, &n1, code), FFI_OK);
	T_ASSERT(c->cif == &cif && c->user_data == &n1, "the writable closure lacks cif/user_data");
	qsort(v, 5, sizeof(v[0]), (cmp_t)code);
	T_ASSERT(v[0] == 1 && v[2] == 5 && v[4] == 9 && n1 > 0, "qsort through the closure");
	check_record_readonly();

	/* Re-prep; a refused prep publishes nothing; a wrong code address. */
	T_EXPECT(ffi_prep_closure(c, &cif, cmp_fn, &n2), FFI_OK);
	T_EXPECT(call(code, 1, 2), -1);
	T_EXPECT(n2, 1);
	bad = cif;
	bad.abi = 255;
	T_EXPECT(ffi_prep_closure_loc(c, &bad, cmp_fn, &n1, code), FFI_BAD_ABI);
	T_EXPECT(ffi_prep_closure_loc(c, &cif, cmp_fn, &n1, (char *)code + 1), FFI_BAD_ABI);
	T_EXPECT(call(code, 2, 1), 1);
	T_EXPECT(n2, 2);

	/* Freed: faults; freed twice, NULL: nothing happens; prep: refused. */
	ffi_closure_free(c);
	T_ASSERT(call_in_child(code) == SIGSEGV, "a freed closure does not fault");
	ffi_closure_free(c);
	ffi_closure_free(NULL);
	T_EXPECT(ffi_prep_closure_loc(c, &cif, cmp_fn, &n1, code), FFI_BAD_ABI);

	for (int i = 0; i < N; i++) {
		many[i] = ffi_closure_alloc(sizeof(ffi_closure) + (size_t)i % 3 * 100, &codes[i]);
		T_ASSERT(many[i], "alloc %d: %s", i, strerror(errno));
		T_EXPECT(ffi_prep_closure_loc(many[i], &cif, cmp_fn, &counts[i], codes[i]), FFI_OK);
	}
	for (int i = 0; i < N; i++)
		T_ASSERT(call(codes[i], i, 0) == (i > 0) && counts[i] == 1, "closure %d", i);
	for (int i = 0; i < N; i++)
		ffi_closure_free(many[i]);

	foreign();
	threads();
	forked();
	return t_pass();
}
