// SPDX-License-Identifier: MIT
#include "internal.h"
#include "arch.h"

bool tfd_reg_valid(uint32_t name)
{
	return tfd_arch_reg_valid(name);
}
