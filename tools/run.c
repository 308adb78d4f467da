// SPDX-License-Identifier: MIT
/*
 * trampfd run [--nested] [--ffi] [--] CMD [ARG...]: runs CMD with the
 * named client libraries preloaded (LD_PRELOAD, ahead of what it held):
 * --nested  libtrampfd-nested.so.0, GCC nested functions (trampfd-nested(7))
 * --ffi     libtrampfd-ffi.so.0, libffi's closures
 * Each is looked for next to this program (a build tree, or BINDIR when
 * installed next to the libraries), then in LIBDIR, then by name.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tools.h"

#ifndef TRAMPFD_LIBDIR
#define TRAMPFD_LIBDIR "/usr/local/lib"
#endif

/* buf = dir/name if that fits and is readable. */
static bool readable_at(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n > 0 && (size_t)n < len && !access(buf, R_OK);
}

/* The first place the library exists, or its bare name for ld.so's search. */
static const char *find_lib(const char *name, char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;
	void *h;

	if (n > 0) {
		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			if (readable_at(buf, len, self, name))
				return buf;
			/* Installed: PREFIX/bin/trampfd, PREFIX/lib/NAME */
			if (strlen(self) + 8 < sizeof(self)) {
				strcat(self, "/../lib");
				if (readable_at(buf, len, self, name))
					return buf;
			}
		}
	}
	if (readable_at(buf, len, TRAMPFD_LIBDIR, name))
		return buf;
	/* Elsewhere ld.so finds it (LD_LIBRARY_PATH, its cache), or nowhere. */
	h = dlopen(name, RTLD_LAZY | RTLD_LOCAL);
	if (!h)
		return NULL;
	dlclose(h);
	return name;
}

int tool_run(int argc, char **argv)
{
	char nested[PATH_MAX], ffi[PATH_MAX];
	const char *libs[2];
	const char *old = getenv("LD_PRELOAD");
	size_t nlibs = 0, len, i;
	char *pre;
	int a;

	for (a = 1; a < argc && argv[a][0] == '-' && nlibs < 2; a++) {
		if (!strcmp(argv[a], "--nested"))
			libs[nlibs] = find_lib("libtrampfd-nested.so.0", nested, sizeof(nested));
		else if (!strcmp(argv[a], "--ffi"))
			libs[nlibs] = find_lib("libtrampfd-ffi.so.0", ffi, sizeof(ffi));
		else
			break;
		if (!libs[nlibs]) {
			fprintf(stderr, "trampfd run: %s: library not found next to trampfd, in %s, nor by ld.so\n",
				argv[a], TRAMPFD_LIBDIR);
			return 127;
		}
		nlibs++;
	}
	if (a < argc && !strcmp(argv[a], "--"))
		a++;
	if (a >= argc || !nlibs || argv[a][0] == '-') {
		fprintf(stderr, "usage: trampfd run [--nested] [--ffi] [--] CMD [ARG...]\n");
		return 2;
	}
	len = old ? strlen(old) + 1 : 0;
	for (i = 0; i < nlibs; i++)
		len += strlen(libs[i]) + 1;
	pre = malloc(len + 1);
	if (!pre)
		return 1;
	pre[0] = 0;
	for (i = 0; i < nlibs; i++) {
		strcat(pre, libs[i]);
		strcat(pre, ":");
	}
	if (old)
		strcat(pre, old);
	else
		pre[strlen(pre) - 1] = 0;
	if (setenv("LD_PRELOAD", pre, 1)) {
		perror("trampfd run: setenv");
		return 1;
	}
	execvp(argv[a], argv + a);
	fprintf(stderr, "trampfd run: %s: %s\n", argv[a], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
