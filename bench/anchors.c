// SPDX-License-Identifier: MIT
/*
 * libffi closures (Debian's build: an rwx page per closure block) and
 * libffcall trampolines (a writable alias of executable memory), each
 * returning its context + 1, like the trampfd targets.
 */
#include <ffi.h>
#include <trampoline.h>
#include "anchors.h"

static ffi_cif cif;
static ffi_type *args[1] = { &ffi_type_slong };
static int cif_ready;

static void ffi_target(ffi_cif *c, void *ret, void **a, void *data)
{
	*(ffi_arg *)ret = (long)data + 1;
}

bench_fn ffi_make(long ctx, void **handle)
{
	void *code;
	ffi_closure *cl;

	if (!cif_ready && ffi_prep_cif(&cif, FFI_DEFAULT_ABI, 1, &ffi_type_slong, args) != FFI_OK)
		return 0;
	cif_ready = 1;
	cl = ffi_closure_alloc(sizeof(ffi_closure), &code);
	if (!cl)
		return 0;
	if (ffi_prep_closure_loc(cl, &cif, ffi_target, (void *)ctx, code) != FFI_OK) {
		ffi_closure_free(cl);
		return 0;
	}
	*handle = cl;
	return (bench_fn)code;
}

void ffi_free(void *handle)
{
	ffi_closure_free(handle);
}

static void *ffcall_ctx;

static long ffcall_target(long x)
{
	return (long)ffcall_ctx + 1;
}

bench_fn ffcall_make(long ctx)
{
	/* libffcall's type is an unprototyped int (*)(); go through void (*)(void). */
	return (bench_fn)(void (*)(void))alloc_trampoline(
		(trampoline_function_t)(void (*)(void))ffcall_target, &ffcall_ctx, (void *)ctx);
}

void ffcall_free(bench_fn fn)
{
	free_trampoline((trampoline_function_t)(void (*)(void))fn);
}
