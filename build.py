#!/usr/bin/env python3
"""Build the booklet: ``python build.py`` is ``nomodel build`` (see ``--help``)."""

import sys

from nomodel.entry import main

if __name__ == "__main__":
    sys.exit(main())
