// SPDX-License-Identifier: MIT
/*
 * trampfd noexecstack FILE: clears the executable-stack request of an ELF
 * file (PF_X in its PT_GNU_STACK program header), so the kernel and ld.so
 * give it a stack that is not executable. Only that one flags word is
 * written. Anything it does not understand is refused and left as it was:
 * not ELF, an unknown class, byte order or version, a program header table
 * outside the file, or no PT_GNU_STACK at all (then the loader's default
 * applies, which for ld.so is an executable stack, and adding a header
 * does not fit in place). ELF32 and ELF64, either byte order.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tools.h"

struct elf_file {
	int fd;
	bool is64, msb;
	off_t size;
};

static uint64_t get(const struct elf_file *e, const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[e->msb ? n - 1 - i : i] << (8 * i);
	return v;
}

static void put32(const struct elf_file *e, unsigned char *p, uint32_t v)
{
	size_t i;

	for (i = 0; i < 4; i++)
		p[e->msb ? 3 - i : i] = v >> (8 * i);
}

static int refuse(const char *file, const char *why)
{
	fprintf(stderr, "trampfd noexecstack: %s: %s; file left unchanged\n", file, why);
	return 1;
}

static int read_at(const struct elf_file *e, void *buf, size_t len, uint64_t off)
{
	if (off > (uint64_t)e->size || len > (uint64_t)e->size - off)
		return -1;
	return pread(e->fd, buf, len, off) == (ssize_t)len ? 0 : -1;
}

/* Finds PT_GNU_STACK: its file offset, or 0 (none), or -1 (malformed). */
static int64_t find_gnu_stack(const struct elf_file *e, const unsigned char *eh, const char *file)
{
	/* Offsets of e_phoff, e_phentsize, e_phnum; p_type is first, p_flags at 24 or 4. */
	uint64_t phoff = e->is64 ? get(e, eh + 32, 8) : get(e, eh + 28, 4);
	unsigned int entsize = get(e, eh + (e->is64 ? 54 : 42), 2);
	unsigned int phnum = get(e, eh + (e->is64 ? 56 : 44), 2), i;
	unsigned char ph[4];

	if (!phnum)
		return refuse(file, "no program headers (not an executable or shared object)"), -1;
	if (entsize != (e->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
		return refuse(file, "unexpected program header size"), -1;
	if (phnum == PN_XNUM)
		return refuse(file, "program header count in section 0 (PN_XNUM) is not supported"), -1;
	for (i = 0; i < phnum; i++) {
		uint64_t at = phoff + (uint64_t)i * entsize;

		if (read_at(e, ph, 4, at))
			return refuse(file, "program header table runs past the end of the file"), -1;
		if (get(e, ph, 4) == PT_GNU_STACK)
			return at + (e->is64 ? 4 : 24);
	}
	return 0;
}

int tool_noexecstack(int argc, char **argv)
{
	unsigned char eh[64], fl[4];
	struct elf_file e = { .fd = -1 };
	const char *file = argc == 2 ? argv[1] : NULL;
	struct stat st;
	int64_t at;
	uint32_t flags;
	int rc = 1;

	if (!file) {
		fprintf(stderr, "usage: trampfd noexecstack FILE\n");
		return 2;
	}
	e.fd = open(file, O_RDWR | O_CLOEXEC);
	if (e.fd < 0) {
		fprintf(stderr, "trampfd noexecstack: %s: %s\n", file, strerror(errno));
		return 1;
	}
	if (fstat(e.fd, &st) || !S_ISREG(st.st_mode)) {
		rc = refuse(file, "not a regular file");
		goto out;
	}
	e.size = st.st_size;
	if (read_at(&e, eh, EI_NIDENT, 0) || memcmp(eh, ELFMAG, SELFMAG)) {
		rc = refuse(file, "not an ELF file");
		goto out;
	}
	if (eh[EI_CLASS] != ELFCLASS32 && eh[EI_CLASS] != ELFCLASS64) {
		rc = refuse(file, "unknown ELF class");
		goto out;
	}
	if (eh[EI_DATA] != ELFDATA2LSB && eh[EI_DATA] != ELFDATA2MSB) {
		rc = refuse(file, "unknown ELF byte order");
		goto out;
	}
	if (eh[EI_VERSION] != EV_CURRENT) {
		rc = refuse(file, "unknown ELF version");
		goto out;
	}
	e.is64 = eh[EI_CLASS] == ELFCLASS64;
	e.msb = eh[EI_DATA] == ELFDATA2MSB;
	if (read_at(&e, eh, e.is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr), 0)) {
		rc = refuse(file, "truncated ELF header");
		goto out;
	}
	at = find_gnu_stack(&e, eh, file);
	if (at < 0)
		goto out;
	if (!at) {
		rc = refuse(file, "no PT_GNU_STACK header (the loader's default, an executable stack, applies)");
		goto out;
	}
	if (read_at(&e, fl, 4, at)) {
		rc = refuse(file, "truncated PT_GNU_STACK header");
		goto out;
	}
	flags = get(&e, fl, 4);
	if (!(flags & PF_X)) {
		printf("%s: stack already not executable\n", file);
		rc = 0;
		goto out;
	}
	put32(&e, fl, flags & ~PF_X);
	if (pwrite(e.fd, fl, 4, at) != 4 || fsync(e.fd)) {
		fprintf(stderr, "trampfd noexecstack: %s: write: %s\n", file, strerror(errno));
		goto out;
	}
	printf("%s: stack no longer executable (PT_GNU_STACK p_flags %#x -> %#x)\n", file,
	       flags, flags & ~PF_X);
	rc = 0;
out:
	close(e.fd);
	return rc;
}
