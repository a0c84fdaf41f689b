"""The desktop bundle's entry point: the same as the ``massage-trainer`` command."""

import sys

from massage_trainer.cli import main

if __name__ == "__main__":
    sys.exit(main())
