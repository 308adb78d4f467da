/* SPDX-License-Identifier: MIT */
/* What libffi's testsuite/libffi.call/ffitest.h asks of configure, for
 * building its closure tests against the system's libffi (mk/ffi.mk). */
#define HAVE_STDINT_H 1
#define HAVE_INTTYPES_H 1
#define HAVE_MMAP_ANON 1
