"""`python -m nhilint`: the same command as the `nhilint` script (for environments without the entry point)."""

from nhilint.launch import entry

entry()
