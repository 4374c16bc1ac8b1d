"""``python -m maskroom_worker``: the same as the ``maskroom-worker`` command."""

import sys

from .cli import main

sys.exit(main())
