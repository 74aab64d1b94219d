"""The `nhilint` command: parse options, call the API, pick a reporter, return the exit code.

Exit codes: 0 no finding at or above `--fail-on`; 1 findings; 2 usage or config error (or an output file
that cannot be written); 3 internal error: one line naming the path being processed, the traceback only with
`nhilint --debug` (or NHILINT_DEBUG=1).

This module holds the command group and the entry point; the commands live in nhilint.commands (and
nhilint.audit.commands) and are named in COMMANDS: a command's module is imported when it is invoked, so a
pre-commit `nhilint scan` loads neither the audit nor the inventory code.
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass

import click

from nhilint import __version__
from nhilint.commands.common import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    SCAN_FORMATS,
    SEVERITIES,
    plural,
    printable,
    render_scan_report,
    with_common,
    write_output,
)
from nhilint.errors import InternalError, UsageProblem, describe

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_USAGE",
    "SCAN_FORMATS",
    "SEVERITIES",
    "cli",
    "entry",
    "main",
    "plural",
    "printable",
    "render_scan_report",
    "with_common",
    "write_output",
]


# Command name -> (module, attribute): the command group's explicit list, each imported on first use.
COMMANDS: dict[str, tuple[str, str]] = {
    "scan": ("nhilint.commands.scan", "scan"),
    "inventory": ("nhilint.commands.inventory", "inventory"),
    "baseline": ("nhilint.commands.baseline", "baseline_group"),
    "suppressions": ("nhilint.commands.baseline", "suppressions"),
    "rules": ("nhilint.commands.rules", "rules"),
    "explain": ("nhilint.commands.rules", "explain"),
    "explain-identity": ("nhilint.commands.inventory", "explain_identity"),
    "audit": ("nhilint.audit.commands", "audit"),
    "audit-merge": ("nhilint.audit.commands", "audit_merge"),
}


class LazyGroup(click.Group):
    """A click group whose commands (COMMANDS) are imported when invoked or listed (`--help`)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            module, attribute = COMMANDS[cmd_name]
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in COMMANDS:  # a typo: load them all, so that click can suggest the one meant
            for name in COMMANDS:
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)


@dataclass(slots=True)
class RunState:
    """Per-invocation state the group fills in (click's `obj`), read by `main` when a command fails."""

    debug: bool = False


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nhilint")
@click.option(
    "--debug",
    is_flag=True,
    envvar="NHILINT_DEBUG",
    help="Show the traceback of an internal error (exit code 3); also NHILINT_DEBUG=1.",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Lint non-human identities (roles, service accounts, keys, tokens) in infrastructure code.

    Exit codes: 0 no finding at or above --fail-on; 1 findings; 2 usage or config error; 3 internal error.
    """
    if isinstance(ctx.obj, RunState):
        ctx.obj.debug = debug


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code instead of exiting (for tests and embedding).

    No exception escapes: an unexpected one is exit 3 with one line on stderr (the traceback with --debug).
    """
    state = RunState(debug=os.environ.get("NHILINT_DEBUG", "") not in ("", "0"))
    try:
        cli.main(args=argv, prog_name="nhilint", standalone_mode=False, obj=state)
    except click.UsageError as exc:
        exc.show()
        return EXIT_USAGE
    except click.exceptions.Abort:
        return EXIT_USAGE
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except UsageProblem as exc:
        click.ClickException(str(exc)).show()
        return EXIT_USAGE
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_USAGE
    except Exception as exc:  # the last line of defence: never a traceback without --debug
        return _internal_error(exc, state.debug)
    return EXIT_OK


def _internal_error(exc: Exception, debug: bool) -> int:
    """`nhilint: internal error while processing PATH: ExcType: message`, and the traceback only when asked."""
    if isinstance(exc, InternalError):
        message = f"internal error while processing {exc.path}: {describe(exc.cause)}"
    else:
        message = f"internal error: {describe(exc)}"
    if debug:
        import traceback  # only for --debug: its import (with linecache, textwrap) costs a run ~2 ms

        traceback.print_exception(exc, file=sys.stderr)
        click.echo(f"nhilint: {printable(message)}", err=True)
    else:
        click.echo(f"nhilint: {printable(message)} (run with --debug for the traceback)", err=True)
    return EXIT_INTERNAL


def entry() -> None:
    sys.exit(main())
