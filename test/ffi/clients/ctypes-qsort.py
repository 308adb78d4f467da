#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A ctypes callback (CFUNCTYPE) called by libc's qsort."""
import ctypes
import sys

sys.path.insert(0, sys.path[0])
import tffi_check  # noqa: E402

tffi_check.expect_provider()
PINT = ctypes.POINTER(ctypes.c_int)
CMP = ctypes.CFUNCTYPE(ctypes.c_int, PINT, PINT)
calls = []


def cmp(a, b):
    calls.append(1)
    return (a[0] > b[0]) - (a[0] < b[0])


cb = CMP(cmp)
arr = (ctypes.c_int * 6)(5, 3, 9, 1, 7, -2)
ctypes.CDLL(None).qsort(arr, len(arr), ctypes.sizeof(ctypes.c_int), cb)
if list(arr) != [-2, 1, 3, 5, 7, 9] or not calls:
    sys.exit("qsort through the callback: %s" % list(arr))
if not tffi_check.readonly(ctypes.cast(cb, ctypes.c_void_p).value):
    sys.exit("the callback's code address is writable")
tffi_check.done()
