// SPDX-License-Identifier: MIT
/*
 * libtrampfd.so on aarch64 is linked without the C runtime's start files,
 * whose Debian 12 builds carry no BTI note and would leave the library
 * unguarded (Makefile, SHLIB_LDFLAGS_aarch64). This is the one definition
 * of theirs it needs: pthread_atfork passes it, so that the handlers of an
 * unloaded copy of the library are dropped with it.
 */
void *__dso_handle __attribute__((visibility("hidden"))) = &__dso_handle;
