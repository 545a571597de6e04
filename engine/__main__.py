"""python -m engine: the operator's command line (engine/cli/)."""

import sys

from engine.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
