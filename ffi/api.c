// SPDX-License-Identifier: MIT
/*
 * libtrampfd-ffi: libffi's closure calls over trampfd (man/libtrampfd-ffi.7,
 * docs/design.md §9).
 * Marshalling stays the process's own libffi's: its ffi_prep_closure_loc
 * runs on a private copy, and the entry is read back from the trampoline
 * it wrote there. Closures this library did not allocate go to the real
 * functions, found with dlopen(RTLD_NOLOAD) + dlvsym: RTLD_NEXT finds
 * nothing when libffi was loaded RTLD_LOCAL (CPython's _ctypes).
 */
#include <dlfcn.h>
#include <errno.h>
#include <ffi.h>
#include <link.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include "tffi.h"

#define API __attribute__((visibility("default")))

typedef void (*ffi_fun)(ffi_cif *, void *, void **, void *);

static struct {
	void (*free)(void *);
	ffi_status (*prep_loc)(ffi_closure *, ffi_cif *, ffi_fun, void *, void *);
	ffi_status (*prep)(ffi_closure *, ffi_cif *, ffi_fun, void *);
	uintptr_t base;		/* libffi's load address */
	uintptr_t text[4][2];	/* its executable segments: entries must be there */
} real;
static pthread_mutex_t real_lock = PTHREAD_MUTEX_INITIALIZER;
static int real_ready;		/* release-stored once real is complete */

static int find_libffi(struct dl_phdr_info *info, size_t size, void *path)
{
	const char *name = strrchr(info->dlpi_name, '/');

	name = name ? name + 1 : info->dlpi_name;
	if (strncmp(name, "libffi.so.", 10))
		return 0;
	strncpy(path, info->dlpi_name, PATH_MAX - 1);
	return 1;
}

static int find_text(struct dl_phdr_info *info, size_t size, void *data)
{
	unsigned int n = 0;

	if (info->dlpi_addr != real.base)
		return 0;
	for (unsigned int i = 0; i < info->dlpi_phnum && n < 4; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
			real.text[n][0] = info->dlpi_addr + ph->p_vaddr;
			real.text[n++][1] = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
		}
	}
	return 1;
}

/* Looked up until found: libffi may be loaded after this library. */
static int find_real(void)
{
	static const char *const ver[] = { "LIBFFI_CLOSURE_8.0", "LIBFFI_CLOSURE_7.0" };
	char path[PATH_MAX];
	Dl_info di;
	void *h;

	if (__atomic_load_n(&real_ready, __ATOMIC_ACQUIRE))
		return 0;
	path[0] = 0;
	pthread_mutex_lock(&real_lock);
	if (real.prep_loc || !dl_iterate_phdr(find_libffi, path))
		goto out;
	/* The reference this takes keeps libffi, whose code entries run, loaded. */
	h = dlopen(path, RTLD_NOLOAD | RTLD_LAZY);
	for (unsigned int i = 0; h && i < sizeof(ver) / sizeof(ver[0]) && !real.prep_loc; i++) {
		real.free = (void (*)(void *))dlvsym(h, "ffi_closure_free", ver[i]);
		real.prep = (ffi_status (*)(ffi_closure *, ffi_cif *, ffi_fun, void *))
			dlvsym(h, "ffi_prep_closure", ver[i]);
		real.prep_loc = (ffi_status (*)(ffi_closure *, ffi_cif *, ffi_fun, void *, void *))
			dlvsym(h, "ffi_prep_closure_loc", ver[i]);
	}
	if (real.prep_loc && dladdr((void *)real.prep_loc, &di)) {
		real.base = (uintptr_t)di.dli_fbase;
		dl_iterate_phdr(find_text, NULL);
		__atomic_store_n(&real_ready, 1, __ATOMIC_RELEASE);
	} else {
		real.prep_loc = NULL;
	}
out:
	pthread_mutex_unlock(&real_lock);
	return real.prep_loc ? 0 : -ENOENT;
}

static int libffi_code(uintptr_t entry)
{
	for (unsigned int i = 0; i < 4; i++)
		if (entry >= real.text[i][0] && entry < real.text[i][1])
			return 1;
	return 0;
}

/*
 * The real prep on a private, zeroed copy (zero: no static trampoline);
 * only a recognised trampoline into libffi's own code, with {cif, fun,
 * user_data} where its entry reads them, is published.
 */
static ffi_status prep_own(ffi_closure *closure, size_t size, ffi_cif *cif, ffi_fun fun,
			   void *user_data, void *code)
{
	union {
		unsigned char b[128];
		ffi_closure c;
	} copy;
	unsigned char rec[TFFI_REC] = { 0 };
	void *triple[3] = { cif, (void *)fun, user_data };
	uintptr_t entry;
	size_t ts;
	ffi_status st;

	if (find_real())
		return FFI_BAD_ABI;
	memset(&copy, 0, sizeof(copy));
	st = real.prep_loc(&copy.c, cif, fun, user_data, code);
	if (st != FFI_OK)
		return st;
	if (tffi_parse(copy.b, sizeof(copy.b), &entry, &ts) || ts + TFFI_TRIPLE > TFFI_REC ||
	    memcmp(copy.b + ts, triple, TFFI_TRIPLE) || !libffi_code(entry))
		return FFI_BAD_ABI;
	memcpy(rec, &entry, sizeof(entry));
	memcpy(rec + ts, triple, TFFI_TRIPLE);
	if (tffi_publish(closure, rec))
		return FFI_BAD_ABI;
	/* Programs may read closure->user_data back; the code is not there. */
	if (ts + TFFI_TRIPLE <= size)
		memcpy((char *)closure + ts, triple, TFFI_TRIPLE);
	return FFI_OK;
}

API void *ffi_closure_alloc(size_t size, void **code)
{
	void *wr;
	int err;

	if (!code)
		return NULL;
	wr = tffi_alloc(size, code, &err);
	if (!wr)
		errno = -err;
	return wr;
}

API void ffi_closure_free(void *ptr)
{
	/* Freed twice: ignored. Never ours: libffi's, if it is loaded. */
	if (ptr && tffi_free(ptr) == -ENOENT && !find_real() && real.free)
		real.free(ptr);
}

API ffi_status ffi_prep_closure_loc(ffi_closure *closure, ffi_cif *cif, ffi_fun fun,
				    void *user_data, void *codeloc)
{
	void *code;
	size_t size;
	int own = tffi_owned(closure, &code, &size);

	if (own < 0)
		return find_real() ? FFI_BAD_ABI : real.prep_loc(closure, cif, fun, user_data, codeloc);
	/* libffi's own ffi_prep_closure passes the closure as its code. */
	if (!own || (codeloc != code && codeloc != closure))
		return FFI_BAD_ABI;
	return prep_own(closure, size, cif, fun, user_data, code);
}

API ffi_status ffi_prep_closure(ffi_closure *closure, ffi_cif *cif, ffi_fun fun, void *user_data)
{
	void *code;
	size_t size;
	int own = tffi_owned(closure, &code, &size);

	if (own < 0)
		return find_real() || !real.prep ? FFI_BAD_ABI : real.prep(closure, cif, fun, user_data);
	if (!own)
		return FFI_BAD_ABI;
	return prep_own(closure, size, cif, fun, user_data, code);
}
