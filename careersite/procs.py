"""Child processes that do not outlive the build that started them."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal


def die_with_parent() -> None:
    """In a child process (Linux): be killed with the build. A build killed mid-way must not leave a
    child writing into a staging folder that the next build has already cleaned away."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        parent = os.getppid()
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG; kept across execv
        if os.getppid() != parent:  # the build died before the line above
            os._exit(1)
    except (OSError, AttributeError):  # not Linux: the next build's clean-up has to do
        pass
