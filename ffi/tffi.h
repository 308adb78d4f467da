/* SPDX-License-Identifier: MIT */
/*
 * libtrampfd-ffi internals. A closure handed out is a trampfd closure of
 * tfd_ffi_thunk with its record in the static-chain register;
 * the record (TFFI_REC bytes, read-only, written only by pwrite) holds the
 * libffi entry in word 0 and {cif, fun, user_data} at the trampoline size
 * libffi's entry expects (man/libtrampfd-ffi.7, docs/design.md §9).
 */
#ifndef TFFI_H
#define TFFI_H

#include <stddef.h>
#include <stdint.h>

#define TFFI_TRIPLE	24	/* cif, fun, user_data */
#define TFFI_REC	64


/* Per arch (ffi/arch/<arch>/): the trampoline libffi wrote at c. */
int tffi_parse(const unsigned char *c, size_t len, uintptr_t *entry, size_t *ts);
extern const char tfd_ffi_thunk[], tfd_ffi_unset[];

/* The pool (pool.c): closures by their writable address. */
void *tffi_alloc(size_t size, void **code, int *err);
int tffi_owned(void *wr, void **code, size_t *size);
int tffi_publish(void *wr, const unsigned char rec[TFFI_REC]);
int tffi_free(void *wr);

#endif
