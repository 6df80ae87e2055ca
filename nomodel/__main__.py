"""``python -m nomodel`` is ``nomodel``."""

import sys

from nomodel.entry import main

sys.exit(main())
