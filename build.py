"""Build the careers site: python build.py [build|check|serve|new] --help"""

from careersite.cli import main

raise SystemExit(main())
