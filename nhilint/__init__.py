"""nhilint: lint non-human identities where they are born, in infrastructure code."""

__version__ = "0.1.0"
