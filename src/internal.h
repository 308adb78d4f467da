/* SPDX-License-Identifier: MIT */
/* Internal interfaces of libtrampfd: never installed. */
#ifndef TRAMPFD_INTERNAL_H
#define TRAMPFD_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "trampfd.h"
#include <linux/trampfd_contract.h>

#define TFD_HIDDEN __attribute__((visibility("hidden")))
/* The public calls; src/libtrampfd.map names the same set. */
#define TFD_EXPORT __attribute__((visibility("default")))

struct tfd_handle;

/*
 * One cell (provider x mode). The api layer validates what it can without
 * knowing the cell (flags, offsets, NULL buffers) and dispatches here.
 */
enum { TFD_CELL_KERNEL = 1, TFD_CELL_FAULT = 2 };

struct tfd_ops {
	unsigned int cell;		/* TFD_CELL_*: its provider and mode */
	/* 0 if the cell can run here, else -errno; *why (static) says why. */
	int (*available)(unsigned int uflags, const char **why);
	/* Returns the new fd, with *h set, or -errno. */
	int (*create)(const struct trampfd_user *u, unsigned int n,
		      struct tfd_handle **h);
	ssize_t (*pwrite)(struct tfd_handle *h, const void *buf, size_t len,
			  unsigned int index, unsigned int ctx);
	ssize_t (*pread)(struct tfd_handle *h, void *buf, size_t len,
			 unsigned int index, unsigned int ctx);
	/* Maps the table; *cookie is handed back to munmap. */
	int (*mmap)(struct tfd_handle *h, void **base, size_t *len, void **cookie);
	int (*munmap)(void *base, size_t len, void *cookie);
	int (*close)(struct tfd_handle *h);
};

/* Common head of every cell's per-fd state. */
struct tfd_handle {
	const struct tfd_ops *ops;
	int fd;
	unsigned int n;			/* trampolines in the table */
	unsigned int uflags;		/* struct trampfd_user.flags */
	/* The open file's identity (fdtab.c); ino_prev: before a renewal. */
	uint64_t dev;
	_Atomic uint64_t ino, ino_prev;
	_Atomic unsigned int renewals;	/* a check that saw one happen retries */
	_Atomic int users;		/* the registry and each call in progress */
};

extern const struct tfd_ops tfd_user_fault_ops TFD_HIDDEN;
extern const struct tfd_ops tfd_user_code_ops TFD_HIDDEN;
extern const struct tfd_ops tfd_kernel_fault_ops TFD_HIDDEN;
extern const struct tfd_ops tfd_kernel_code_ops TFD_HIDDEN;

/* Cells, fastest first (api.c); NULL past the last. */
const struct tfd_ops *tfd_cell(unsigned int i) TFD_HIDDEN;
const struct tfd_ops *tfd_pick_cell(unsigned int uflags, int *err) TFD_HIDDEN;
/* A cell's names, from its TFD_CELL_* bits: "kernel"/"user", "fault"/"code". */
static inline const char *tfd_cell_provider(const struct tfd_ops *o)
{
	return o->cell & TFD_CELL_KERNEL ? "kernel" : "user";
}
static inline const char *tfd_cell_mode(const struct tfd_ops *o)
{
	return o->cell & TFD_CELL_FAULT ? "fault" : "code";
}

/*
 * The library's own tables (closures) keep their fds in the upper half of
 * RLIMIT_NOFILE, out of the program's way (src/closure/alloc.c): a cell's
 * create given this flag, which only the library sets (it is no UAPI bit),
 * returns such an fd; tfd_fd_move_high moves one there.
 */
#define TFD_CREATE_FD_HIGH 0x80000000u
_Static_assert(!(TFD_CREATE_FD_HIGH & TRAMPFD_USER_FLAGS), "an internal bit");
int tfd_fd_move_high(int fd) TFD_HIDDEN;

/* fd -> handle registry (fdtab.c). */
int tfd_fdtab_insert(struct tfd_handle *h) TFD_HIDDEN;
/* Records h->fd's open file as h's (insert does; tables kept outside it too). */
int tfd_handle_identify(struct tfd_handle *h) TFD_HIDDEN;
/* fd's handle with a reference (give it back with tfd_handle_put), or NULL. */
struct tfd_handle *tfd_fdtab_get(int fd) TFD_HIDDEN;
/* The same for pread/pwrite (io): FASTWRITE tables skip the identity check. */
struct tfd_handle *tfd_fdtab_get_io(int fd, bool io) TFD_HIDDEN;
/* Drops a reference; the last runs the cell's close and returns its result. */
int tfd_handle_put(struct tfd_handle *h) TFD_HIDDEN;
/* h's fd is about to become newfd's file (dup3): both count as h's. */
int tfd_fdtab_renew(struct tfd_handle *h, int newfd) TFD_HIDDEN;
/* Removes fd's entry and drops the registry's reference: trampfd_close. */
int tfd_fdtab_close(int fd) TFD_HIDDEN;

/*
 * fork (fork.c): each part's locks and state across fork, called with
 * TFD_FORK_PREPARE (take every lock), then _PARENT or _CHILD (release
 * them; the child also resets what other threads left behind).
 */
enum { TFD_FORK_PREPARE, TFD_FORK_PARENT, TFD_FORK_CHILD };
void tfd_fork_register(void) TFD_HIDDEN;
void tfd_user_table_fork(int phase) TFD_HIDDEN;
void tfd_user_code_fork(int phase) TFD_HIDDEN;
void tfd_user_fault_fork(int phase) TFD_HIDDEN;
void tfd_anchor_fork(int phase) TFD_HIDDEN;
void tfd_api_fork(int phase) TFD_HIDDEN;
void tfd_fdtab_fork(int phase) TFD_HIDDEN;

/*
 * Context validation (ctx.c): the shared contract's checks, as -errno, with
 * the reason on stderr under TRAMPFD_DEBUG=1. Pure: no side effects.
 */
struct tfd_pcs {
	unsigned int n;
	__u64 pc[TRAMPFD_MAX_PCS];	/* __u64: the contract's type */
};
/* reserved: registers the cell cannot set (TFD_REG_BIT), -EINVAL. */
int tfd_check_regs(const void *buf, size_t len, const struct tfd_pcs *allowed,
		   uint32_t reserved) TFD_HIDDEN;
int tfd_check_stack(const void *buf, size_t len) TFD_HIDDEN;
int tfd_check_pcs(const void *buf, size_t len, struct tfd_pcs *out) TFD_HIDDEN;
/* Decodes a buffer tfd_check_regs() accepted into a struct tfd_regset. */
void tfd_decode_regs(const void *buf, struct tfd_regset *rs) TFD_HIDDEN;
/* Splits a pread/pwrite offset of a table of n trampolines, or -EINVAL. */
int tfd_offset(off_t off, unsigned int n, unsigned int *index,
	       unsigned int *ctx) TFD_HIDDEN;
/* -EINVAL for a contract reason, told on stderr under TRAMPFD_DEBUG=1. */
int tfd_refuse(int reason) TFD_HIDDEN;

#endif
