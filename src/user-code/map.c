// SPDX-License-Identifier: MIT
/*
 * User provider, code mode: where the code table comes from and how a
 * table is mapped.
 *
 * The code is the template in the library's own text, mapped again
 * read+exec from the library's file: dl_iterate_phdr() names the file and
 * the segment gives the offset (the main program's entry has no name: then
 * AT_EXECFN, then /proc/self/exe). The file's bytes are compared with the
 * text in memory before first use, so a file replaced on disk is never
 * mapped as code. Without a usable file the cell is unavailable: a copy of
 * the code written into a memfd and then mapped executable would be
 * written memory made executable, which this project never does.
 *
 * A mapping: code chunks from base, the slot data read-only at base +
 * UC_DIST (the memfd, through an O_RDONLY description), nothing between.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "user-code/code.h"
#include "arch.h"

/* The variants' registers, as trampfd names, in template order. */
const unsigned char uc_variant_reg[UC_NVARIANTS] = { UC_VARIANT_NAMES };

/*
 * The code file, found and verified once. A descriptor of it is kept, so
 * a package upgrade that renames a new file over the path still maps the
 * file actually loaded (test/dyn/upgrade.c); each use checks the kept
 * descriptor is still that inode (a program may close or renumber
 * descriptors), else opens the path and checks the same, else looks the
 * file up and compares it again.
 */
static struct {
	off_t off;
	dev_t dev;
	ino_t ino;
	int err;
	int keep;			/* the verified file, or -1 */
	bool ok;
	char path[PATH_MAX];
	char why[PATH_MAX + 128];
} self;
static pthread_once_t self_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t self_lock = PTHREAD_MUTEX_INITIALIZER;

void uc_map_fork(int phase)
{
	if (phase == TFD_FORK_PREPARE)
		pthread_mutex_lock(&self_lock);
	else
		pthread_mutex_unlock(&self_lock);
}

struct find {
	uintptr_t addr;
	const char *name;
	off_t off;
};

static int find_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct find *f = arg;
	int i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || f->addr < lo || f->addr - lo >= ph->p_filesz)
			continue;
		f->name = info->dlpi_name ? info->dlpi_name : "";
		f->off = ph->p_offset + (f->addr - lo);
		return 1;
	}
	return 0;
}

static size_t tmpl_len(void)
{
	return uc_tmpl_end - uc_tmpl_start;
}

/* Is the file at off byte for byte the template we run? */
static int same_bytes(int fd, off_t off)
{
	size_t len = tmpl_len(), k, step = 65536;
	char *buf = malloc(step);
	int ok = 1;

	if (!buf)
		return 0;
	for (k = 0; k < len && ok; k += step) {
		size_t n = len - k < step ? len - k : step;

		ok = pread(fd, buf, n, off + k) == (ssize_t)n &&
		     !memcmp(buf, uc_tmpl_start + k, n);
	}
	free(buf);
	return ok;
}

/* Can this fd be mapped read+exec (noexec mounts, LSMs say no)? */
static int exec_ok(int fd, off_t off)
{
	void *p = mmap(NULL, UC_STRIDE, PROT_READ | PROT_EXEC, MAP_SHARED, fd, off);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, UC_STRIDE);
	return 0;
}

/* Is fd the verified file? */
static bool is_self(int fd)
{
	struct stat st;

	return fd >= 0 && !fstat(fd, &st) && st.st_dev == self.dev && st.st_ino == self.ino;
}

static void adopt(int fd, off_t off)
{
	struct stat st;

	/* The old one only if it is still ours: the number may be the program's now. */
	if (self.keep >= 0 && self.keep != fd && is_self(self.keep))
		close(self.keep);
	fstat(fd, &st);
	self.off = off;
	self.dev = st.st_dev;
	self.ino = st.st_ino;
	self.err = 0;
	self.ok = true;
	self.keep = fd;
}


static int try_path(const char *path, off_t off, const char **reason)
{
	struct stat st;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*reason = "cannot be opened";
		return -errno;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || !same_bytes(fd, off)) {
		*reason = "does not hold the code we run (replaced on disk?)";
		close(fd);
		return -ENOEXEC;
	}
	err = exec_ok(fd, off);
	if (err) {
		*reason = err == -ENOMEM ? "cannot be mapped: out of address space or memory "
					   "(RLIMIT_AS?)"
					 : "cannot be mapped executable (noexec mount or policy)";
		close(fd);
		return err;
	}
	adopt(fd, off);
	/* A relative name would break after chdir(). */
	if (path[0] == '/' || !realpath(path, self.path))
		snprintf(self.path, sizeof(self.path), "%s", path);
	snprintf(self.why, sizeof(self.why), "code table mapped from %s at offset %#llx",
		 self.path, (unsigned long long)off);
	return 0;
}

static void locate(void)
{
	struct find f = { .addr = (uintptr_t)uc_tmpl_start };
	const char *cand[3] = { NULL, NULL, NULL };
	const char *reason = "not found by dl_iterate_phdr", *path = "?";
	int i, err = -ENOENT;

	if (dl_iterate_phdr(find_cb, &f)) {
		if (f.name[0]) {
			cand[0] = f.name;
		} else {
			cand[0] = (const char *)getauxval(AT_EXECFN);
			cand[1] = "/proc/self/exe";
		}
	}
	for (i = 0; i < 3 && cand[i]; i++) {
		path = cand[i];
		err = try_path(path, f.off, &reason);
		if (!err)
			return;
	}
	self.err = err;
	snprintf(self.why, sizeof(self.why), "library file %s %s", path, reason);
}

static void first_locate(void)
{
	self.keep = -1;
	locate();
}

/* A shortage (ENOMEM, EMFILE, ENFILE) says nothing about the file: asked again. */
static bool transient(int err)
{
	return err == -ENOMEM || err == -EMFILE || err == -ENFILE;
}

int uc_self_init(const char **why)
{
	pthread_once(&self_once, first_locate);
	if (!self.ok && transient(self.err)) {
		pthread_mutex_lock(&self_lock);
		if (!self.ok && transient(self.err))
			locate();
		pthread_mutex_unlock(&self_lock);
	}
	*why = self.why;
	return self.ok ? 0 : self.err;
}

/* A new descriptor of the verified code file, or -errno. */
static int code_fd(void)
{
	struct stat st;
	int fd, err = 0;

	pthread_mutex_lock(&self_lock);
	if (is_self(self.keep)) {
		fd = fcntl(self.keep, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			err = -errno;
		goto out;
	}
	fd = open(self.path, O_RDONLY | O_CLOEXEC);
	/* Out of descriptors or memory says nothing about the file: keep it. */
	if (fd < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOMEM)) {
		err = -errno;
		goto out;
	}
	if (fd >= 0 && !fstat(fd, &st) && st.st_dev == self.dev && st.st_ino == self.ino)
		goto out;
	if (fd >= 0)
		close(fd);
	self.ok = false;
	locate();
	err = self.ok ? 0 : self.err;
	fd = err ? -1 : fcntl(self.keep, F_DUPFD_CLOEXEC, 0);
out:
	if (fd < 0 && !err)
		err = -errno;
	pthread_mutex_unlock(&self_lock);
	return err ? err : fd;
}

static int map_code(struct uc_table *t, char *base, unsigned int c, int fd)
{
	size_t off = (size_t)c * UC_CHUNK_BYTES;
	size_t len = t->code_len - off < UC_CHUNK_BYTES ? t->code_len - off : UC_CHUNK_BYTES;

	/* Shared from an O_RDONLY fd: no VM_MAYWRITE, so mprotect can never add write. */
	if (mmap(base + off, len, PROT_READ | PROT_EXEC | tfd_arch_code_prot(),
		 MAP_SHARED | MAP_FIXED, fd,
		 self.off + (off_t)uc_chunk_variant(t, c) * UC_CHUNK_BYTES) == MAP_FAILED)
		return -errno;
	return 0;
}

/* The slot data at addr, read-only, through an O_RDONLY description. */
static int map_data(struct uc_table *t, char *addr)
{
	int fd = ut_anchor(&t->ut)->fd;
	void *p;

	if (t->ut.fastwrite) {
		p = mmap(addr, t->data_len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		memcpy(addr, ut_view(&t->ut) + UC_SLOT_BASE, t->data_len);
		return 0;
	}
	p = ut_map_view(fd, t->data_len, UC_SLOT_BASE, addr);
	return p == MAP_FAILED ? -errno : 0;
}

#define UC_RESV	(MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)

/*
 * Address space for the code at p and the data at p + UC_DIST, and only
 * that (RLIMIT_AS counts reservations): the data anywhere, the code
 * UC_DIST below it if that is free (MAP_FIXED_NOREPLACE), a few tries.
 * Where that fails (an old kernel, qemu-user, a crowded space), one
 * reservation of the whole span fixes the distance, and *gap says the
 * space between is to be given back.
 */
static char *reserve(const struct uc_table *t, bool *gap)
{
	char *q, *p, *hint = NULL;
	int k;

	*gap = false;
	for (k = 0; k < 4; k++) {
		q = mmap(hint, t->data_len, PROT_NONE, UC_RESV, -1, 0);
		if (q == MAP_FAILED)
			return MAP_FAILED;
		if ((uintptr_t)q > UC_DIST) {
			p = mmap(q - UC_DIST, t->code_len, PROT_NONE, UC_RESV | MAP_FIXED_NOREPLACE,
				 -1, 0);
			if (p == q - UC_DIST)
				return p;
			if (p != MAP_FAILED)	/* taken as a hint only */
				munmap(p, t->code_len);
		}
		munmap(q, t->data_len);
		hint = q - UC_DIST - t->data_len;
	}
	*gap = true;
	return mmap(NULL, UC_DIST + t->data_len, PROT_NONE, UC_RESV, -1, 0);
}

int uc_map_table(struct uc_table *t, struct uc_map **out)
{
	struct uc_map *m = calloc(1, sizeof(*m));
	unsigned int c;
	bool gap;
	char *p;
	int err;

	if (!m)
		return -ENOMEM;
	p = reserve(t, &gap);
	if (p == MAP_FAILED) {
		free(m);
		return -errno;
	}
	err = code_fd();
	if (err >= 0) {
		int fd = err;

		for (c = 0, err = 0; c < t->nchunks && !err; c++)
			err = map_code(t, p, c, fd);
		close(fd);
	}
	if (!err)
		err = map_data(t, p + UC_DIST);
	if (!err)
		err = uc_region_add(t, (uintptr_t)p, t->code_len);
	if (err < 0) {
		munmap(p, t->code_len);
		munmap(p + UC_DIST, t->data_len);
		if (gap)
			munmap(p + t->code_len, UC_DIST - t->code_len);
		free(m);
		return err;
	}
	m->region = err;
	if (gap)
		munmap(p + t->code_len, UC_DIST - t->code_len);
	m->base = p;
	m->t = t;
	*out = m;
	return 0;
}

void uc_unmap_table(struct uc_map *m)
{
	struct uc_table *t = m->t;

	uc_region_del(m->region);
	munmap(m->base, t->code_len);
	munmap(m->base + UC_DIST, t->data_len);
	free(m);
}

/*
 * Every mapping of t, from the read-only anchors rather than the writable
 * list t->maps: a mapping hidden from the list would keep code or data
 * that no longer matches the store.
 */
int uc_remap_chunk(struct uc_table *t, unsigned int c)
{
	const struct uc_anchor *r = uc_region_next(t, NULL);
	int err = 0, fd;

	if (!r)
		return 0;
	fd = code_fd();
	if (fd < 0)
		return fd;
	for (; r && !err; r = uc_region_next(t, r))
		err = map_code(t, (char *)(uintptr_t)r->start, c, fd);
	close(fd);
	return err;
}

/* After ut_prepare_write() moved the store to a new memfd: follow it. */
int uc_remap_data(struct uc_table *t)
{
	const struct uc_anchor *r;
	int err;

	for (r = uc_region_next(t, NULL); r; r = uc_region_next(t, r)) {
		err = map_data(t, (char *)(uintptr_t)r->start + UC_DIST);
		if (err)
			return err;
	}
	return 0;
}
