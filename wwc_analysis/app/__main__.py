"""`python -m wwc_analysis.app`: serve the planning app (see `server.main`)."""

import sys

from .server import main

sys.exit(main())
