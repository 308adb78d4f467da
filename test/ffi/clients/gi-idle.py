#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""PyGObject: a GLib.idle_add callback run by the main context."""
import sys

sys.path.insert(0, sys.path[0])
import tffi_check  # noqa: E402
import gi  # noqa: E402

gi.require_version("GLib", "2.0")
from gi.repository import GLib  # noqa: E402

tffi_check.expect_provider()
ran = []


def idle(arg):
    ran.append(arg)
    return GLib.SOURCE_REMOVE


GLib.idle_add(idle, 42)
ctx = GLib.MainContext.default()
# An idle source is dispatched by the first iteration that finds it ready;
# a few more in case another source is ahead of it. No waiting.
for _ in range(10):
    if ran:
        break
    ctx.iteration(False)
if ran != [42]:
    sys.exit("the idle callback did not run (PyGObject: could not allocate closure?)")
tffi_check.done()
