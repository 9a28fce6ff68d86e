"""Build the careers site: python build.py [build|check|serve|new] --help"""

import sys

try:
    from careersite.cli import main

    code = main()
except KeyboardInterrupt:  # Ctrl+C, even while Python is still importing
    code = 130
sys.exit(code)
