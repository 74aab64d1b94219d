"""The files shipped inside nhilint's packages (policy packs, the config schema, the escalation catalogues),
read without importing `importlib.resources` when they are plain files on disk.

`importlib.resources` costs a run about 4 ms to import (it brings tempfile, shutil, zipfile and the
compressors, for packages imported from a zip file), and every scan reads the default policy pack and the
schema's text: a pre-commit run is mostly start-up. A package installed from a wheel or run from a checkout
is a directory, and its files are read from there; anything else (a zip import) goes through
`importlib.resources`, which reads the same bytes.
"""

from __future__ import annotations

import importlib
from pathlib import Path


def read_text(package: str, *parts: str) -> str:
    """The UTF-8 text of `parts` (a path under the package's directory) shipped in `package`."""
    module = importlib.import_module(package)
    for folder in getattr(module, "__path__", ()):
        candidate = Path(folder).joinpath(*parts)
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    from importlib import resources

    return resources.files(package).joinpath(*parts).read_text(encoding="utf-8")
