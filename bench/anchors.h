/* SPDX-License-Identifier: MIT */
/* The anchors trampfd is measured against: libffi closures and libffcall. */
#ifndef TRAMPFD_BENCH_ANCHORS_H
#define TRAMPFD_BENCH_ANCHORS_H

#include "bench.h"

/* A callable that returns ctx + 1, or NULL; free it with the matching call. */
bench_fn ffi_make(long ctx, void **handle);
void ffi_free(void *handle);
bench_fn ffcall_make(long ctx);
void ffcall_free(bench_fn fn);

#endif
