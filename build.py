"""Build the careers site: python build.py [build|check|serve|new] --help"""

import _signal  # signal's C core: `import signal` would first import enum and functools, interruptible
import os
import sys

# Ctrl+C while Python is still importing the generator: leave at once, nothing has been written yet. Raised
# inside an import, KeyboardInterrupt can end in CPython's import machinery ("Exception ignored in ...") or,
# inside a C extension's initialisation, crash the interpreter as it exits. careersite.cli puts the usual
# KeyboardInterrupt back once the command's modules are imported (a build then cleans up after itself).
_signal.signal(_signal.SIGINT, lambda signum, frame: os._exit(130))

try:
    from careersite.cli import main

    code = main()
except KeyboardInterrupt:  # Ctrl+C after start-up, outside main's own handling
    code = 130
sys.exit(code)
