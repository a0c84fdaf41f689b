"""``python -m massage_trainer``: the same as the ``massage-trainer`` command."""

import sys

from massage_trainer.cli import main

sys.exit(main())
