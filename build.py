"""Build the careers site: python build.py [build|check|serve|new] --help"""

import atexit
import os
import sys

from careersite.cli import main

code = main()
# Exit without freeing every object one by one (a 10,000-position build holds a few hundred MB of
# small objects; freeing them takes longer than a rebuild). Exit handlers still run, output is flushed.
atexit._run_exitfuncs()
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
