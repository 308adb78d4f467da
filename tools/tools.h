/* SPDX-License-Identifier: MIT */
/* trampfd(1)'s subcommands, one file each; argv[0] is the subcommand. */
#ifndef TRAMPFD_TOOLS_H
#define TRAMPFD_TOOLS_H

int tool_noexecstack(int argc, char **argv);
int tool_run(int argc, char **argv);

#endif
