"""The `nhilint` subcommands, one module per family; nhilint.cli registers them on the command group.

Each maps its options to a Config and ScanOptions, calls nhilint.api (and the library steps), and picks a
reporter. Everything heavy is imported inside the command that needs it, so `nhilint --version` stays quick.
"""
