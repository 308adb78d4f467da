# SPDX-License-Identifier: MIT
"""Shared by the Python clients: is libtrampfd-ffi loaded as this run
expects (TFFI_PROVIDER=1 with the provider, 0 for stock libffi), and is
an address's mapping read-only."""
import os
import sys


def maps():
    with open("/proc/self/maps") as f:
        return f.read().splitlines()


def expect_provider():
    want = os.environ.get("TFFI_PROVIDER", "1") == "1"
    if any("libtrampfd-ffi" in line for line in maps()) != want:
        sys.exit("libtrampfd-ffi is %sloaded" % ("not " if want else ""))


def readonly(addr):
    for line in maps():
        lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
        if lo <= addr < hi:
            return "w" not in line.split()[1]
    return False


def done():
    print("trampfd-test: done", flush=True)
