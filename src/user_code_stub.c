// SPDX-License-Identifier: MIT
/* User provider, code mode: not built yet; refused, never replaced. */
#include <errno.h>
#include "internal.h"

static int uc_available(unsigned int uflags, const char **why)
{
	*why = "user code mode is not implemented in this build";
	return -EOPNOTSUPP;
}

const struct tfd_ops tfd_user_code_ops = {
	.provider = "user",
	.mode = "code",
	.available = uc_available,
};
