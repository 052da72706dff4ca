"""``python benchmarks/report <run folder> [--readme README.md] [--strict]``: see ``cli``."""

import sys
from pathlib import Path

if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    # Running a folder puts the folder itself first on sys.path: its modules would import as
    # top-level ones (and could shadow others: ``tables`` is PyTables' name), the package would
    # have no name for its relative imports, and machine.py beside it would not be found.
    # benchmarks/ instead, as run.py has it, makes ``report`` this package and finds ``machine``.
    if sys.path and sys.path[0] and Path(sys.path[0]).resolve() == here:
        sys.path[0] = str(here.parent)
    from report.cli import main

    sys.exit(main())
