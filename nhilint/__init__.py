"""nhilint: lint non-human identities where they are born, in infrastructure code."""

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """`nhilint.scan(paths, config)` without importing the pipeline when only the version is needed."""
    if name == "scan":
        from nhilint.api import scan

        return scan
    raise AttributeError(name)
