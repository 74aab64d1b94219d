"""A small, safe evaluator for the Terraform expressions identity code really uses.

It knows literals, templates, `var`/`local`/`module`/resource references (through a Scope), conditionals,
comprehensions and a set of pure functions (nhilint.parse.hcl_functions). Anything else evaluates to
`Unknown(reason)`: nhilint never guesses, and a rule that meets an Unknown says "could not evaluate".
Values are described in nhilint.values.

Evaluation is bounded (nhilint.limits): nesting depth, steps per module instance and the size of each
value. A bound that is hit makes the value Unknown and is reported through `Budget.report`, which the
Scope routes to the scan's errors (NHI-PARSE-004): one mechanism for every limit.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Protocol

from nhilint.limits import DEFAULT_LIMITS, Limits
from nhilint.parse import hcl
from nhilint.parse.hcl import Expr
from nhilint.parse.hcl_functions import FUNCTIONS, OPERATORS, SIZED, UNKNOWN_TOLERANT, TooLarge, check_size
from nhilint.values import (
    Encoded,
    IndexStep,
    LDict,
    Ref,
    Unknown,
    deep_unknown,
    first_unknown,
    get_path,
    to_text,
    value_size,
)


class Nesting:
    """How deep evaluation is right now; one per scan, since references cross module instances."""

    __slots__ = ("depth",)

    def __init__(self) -> None:
        self.depth = 0


class Budget:
    """The bounds of one module instance's evaluation, and where a bound that is hit is reported.

    `report(line, reason)` is the one sink for every limit (the Scope's owner routes it to the scan's errors
    at the file being evaluated). Steps count per instance; depth is shared through `nesting`.
    """

    def __init__(
        self,
        limits: Limits = DEFAULT_LIMITS,
        report: Callable[[int, str], None] | None = None,
        nesting: Nesting | None = None,
    ) -> None:
        self.limits = limits
        self.report = report
        self.nesting = nesting or Nesting()
        self.steps = 0
        hcl.ensure_stack(limits)

    def hit(self, limit: str, what: str, line: int) -> Unknown:
        """A bound was hit at `line`: report it (naming the limit, never the value) and return the Unknown."""
        reason = f"{self.limits.describe(limit)} exceeded by {what} on line {line}"
        if self.report is not None:
            self.report(line, reason)
        return Unknown(reason)


class Scope(Protocol):
    """Resolves names: `var`, `local`, resource types, `each`, for-loop variables…"""

    @property
    def budget(self) -> Budget:
        """The evaluation bounds (and problem sink) of the module instance this scope belongs to."""
        ...

    def resolve(self, name: str, steps: list[str | Any], line: int) -> Any:
        """Return the value of `name` followed by `steps` (attribute names or index values)."""
        ...

    def read_file(self, path: str) -> str | Unknown: ...


class Evaluator:
    """Evaluates expressions against a Scope, within the scope's Budget; cheap to create."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.budget: Budget = getattr(scope, "budget", None) or Budget()  # a bare scope: default limits

    def eval(self, expr: Expr) -> Any:
        budget = self.budget
        nesting = budget.nesting
        if budget.steps >= budget.limits.max_eval_steps:
            return Unknown(f"{budget.limits.describe('max_eval_steps')} exceeded")  # reported once, below
        budget.steps += 1
        if budget.steps == budget.limits.max_eval_steps:
            return budget.hit("max_eval_steps", "this module", expr.line)
        if nesting.depth >= budget.limits.max_depth:
            return budget.hit("max_depth", "an expression", expr.line)
        nesting.depth += 1
        try:
            value = self._eval(expr)
        except RecursionError:  # a chain of references deeper than the stack: never a crash
            if nesting.depth > 1:
                raise
            value = budget.hit("max_depth", "a chain of references", expr.line)
        except TooLarge as exc:
            value = budget.hit(exc.limit, exc.what, expr.line)
        finally:
            nesting.depth -= 1
        if budget.steps >= budget.limits.max_eval_steps and not isinstance(value, Unknown):
            return Unknown(f"{budget.limits.describe('max_eval_steps')} exceeded")  # no partial values
        return value

    def _eval(self, expr: Expr) -> Any:
        if isinstance(expr, hcl.Literal):
            return expr.value
        if isinstance(expr, hcl.Template):
            return self._template(expr)
        if isinstance(expr, hcl.Name | hcl.GetAttr | hcl.Index):
            return self._traversal(expr)
        if isinstance(expr, hcl.TupleExpr):
            return self._sized([self.eval(item) for item in expr.items], "a tuple")
        if isinstance(expr, hcl.ObjectExpr):
            return self._sized(self._object(expr), "an object")
        if isinstance(expr, hcl.Call):
            return self._call(expr)
        if isinstance(expr, hcl.Conditional):
            test = self.eval(expr.test)
            if isinstance(test, bool):
                return self.eval(expr.then if test else expr.otherwise)
            return Unknown(f"condition on line {expr.line} could not be evaluated")
        if isinstance(expr, hcl.BinaryOp):
            return self._binary(expr)
        if isinstance(expr, hcl.UnaryOp):
            value = self.eval(expr.operand)
            if expr.op == "!" and isinstance(value, bool):
                return not value
            if expr.op == "-" and isinstance(value, int | float) and not isinstance(value, bool):
                return -value
            return value if isinstance(value, Unknown) else Unknown(f"operator {expr.op} on line {expr.line}")
        if isinstance(expr, hcl.ForExpr):
            return self._sized(self._for(expr), "a for expression")
        if isinstance(expr, hcl.Splat):
            return self._splat(expr)
        if expr.limit is not None:
            return self.budget.hit(expr.limit, expr.what, expr.line)
        return Unknown(f"{expr.what} on line {expr.line} is not evaluated")

    def _sized(self, value: Any, what: str) -> Any:
        """A collection whose expanded size (shared elements counted each time) is over max_value_size."""
        if isinstance(value, list | dict) and value_size(value, self.budget.limits.max_value_size) > (
            self.budget.limits.max_value_size
        ):
            raise TooLarge(what)
        return value

    # -- pieces ------------------------------------------------------------------------------------

    def _template(self, expr: hcl.Template) -> Any:
        if len(expr.parts) == 1 and not isinstance(expr.parts[0], str):
            return self.eval(expr.parts[0])  # "${x}" is x itself, not its string form
        out: list[str] = []
        for part in expr.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = self.eval(part)
            if isinstance(value, Encoded):  # rendering expands it: count first
                self._sized([value], "jsonencode()")
            text = to_text(value)
            if isinstance(text, Unknown):
                return text
            out.append(text)
        check_size("a string template", sum(len(x) for x in out), self.budget.limits.max_value_size)
        return "".join(out)

    def _object(self, expr: hcl.ObjectExpr) -> Any:
        result = LDict(line=expr.line, end_line=expr.end_line)
        for key_expr, value_expr in expr.items:
            key = self.eval(key_expr)
            if isinstance(key_expr, hcl.Name):  # `{ foo = 1 }` keys are bare words, not references
                key = key_expr.name
            text = to_text(key)
            if isinstance(text, Unknown):
                return Unknown(f"object key on line {expr.line}: {text.reason}")
            result[text] = self.eval(value_expr)
        return result

    def _traversal(self, expr: Expr) -> Any:
        steps: list[Any] = []
        node = expr
        while not isinstance(node, hcl.Name):
            if isinstance(node, hcl.GetAttr):
                steps.append(node.name)
                node = node.base
            elif isinstance(node, hcl.Index):
                steps.append(IndexStep(self.eval(node.key)))
                node = node.base
            else:
                return self._apply_steps(self.eval(node), list(reversed(steps)))
        return self.scope.resolve(node.name, list(reversed(steps)), node.line)

    def _apply_steps(self, value: Any, steps: list[Any]) -> Any:
        return get_path(value, steps)

    def _splat(self, expr: hcl.Splat) -> Any:
        base = self.eval(expr.base)
        if isinstance(base, Unknown | Ref):
            return base if isinstance(base, Unknown) else Ref(base.address, "[*]")
        items = base if isinstance(base, list) else [base]
        steps = [s if isinstance(s, str) else IndexStep(self.eval(s)) for s in expr.steps]
        return [get_path(item, list(steps)) for item in items]

    def _binary(self, expr: hcl.BinaryOp) -> Any:
        left = self.eval(expr.left)
        if expr.op == "&&" and left is False:
            return False
        if expr.op == "||" and left is True:
            return True
        right = self.eval(expr.right)
        for value in (left, right):
            if isinstance(value, Unknown | Ref):
                return deep_unknown(value)
        try:
            return OPERATORS[expr.op](left, right)
        except (TypeError, ZeroDivisionError, KeyError):
            return Unknown(f"operator {expr.op} on line {expr.line} could not be evaluated")

    def _for(self, expr: hcl.ForExpr) -> Any:
        collection = self.eval(expr.collection)
        if isinstance(collection, Unknown | Ref):
            return deep_unknown(collection)
        if isinstance(collection, dict):
            pairs: list[tuple[Any, Any]] = list(collection.items())
        elif isinstance(collection, list):
            pairs = list(enumerate(collection))
        else:
            return Unknown(f"for expression over {type(collection).__name__}")
        tuple_out: list[Any] = []
        obj_out = LDict(line=expr.line)
        limits = self.budget.limits
        for key, value in pairs:
            if self.budget.steps >= limits.max_eval_steps:  # spent (and reported): the rest would be Unknown too
                return Unknown(f"{limits.describe('max_eval_steps')} exceeded")
            names = {expr.value_var: value}
            if expr.key_var:
                names[expr.key_var] = key
            inner = Evaluator(NameScope(self.scope, names))
            if expr.condition is not None:
                keep = inner.eval(expr.condition)
                if isinstance(keep, Unknown):
                    return keep
                if not keep:
                    continue
            if expr.key is None:
                tuple_out.append(inner.eval(expr.value))
                continue
            out_key = to_text(inner.eval(expr.key))
            if isinstance(out_key, Unknown):
                return out_key
            out_value = inner.eval(expr.value)
            if expr.grouping:
                obj_out.setdefault(out_key, []).append(out_value)
            else:
                obj_out[out_key] = out_value
        return tuple_out if expr.key is None else obj_out

    def _call(self, expr: hcl.Call) -> Any:
        name = expr.name
        if name in _LAZY_FUNCTIONS:
            return _LAZY_FUNCTIONS[name](self, expr)
        args = [self.eval(a) for a in expr.args]
        if expr.expand_last and args and isinstance(args[-1], list):
            args = args[:-1] + list(args[-1])
        if name == "jsonencode":
            return Encoded(self._sized(args[0], "jsonencode()"), expr.line) if args else Unknown("jsonencode()")
        if name == "file":
            return self._file(args, expr.line)
        if name == "templatefile":
            return self._templatefile(args, expr.line)
        if name in SIZED:
            function: Callable[..., Any] = functools.partial(SIZED[name], self.budget.limits)
        elif name in FUNCTIONS:
            function = FUNCTIONS[name]
        else:
            return Unknown(f"function {name}() on line {expr.line} is not evaluated")
        if name in UNKNOWN_TOLERANT:
            missing = next((deep_unknown(a) for a in args if isinstance(a, Unknown | Ref)), None)
        else:
            missing = first_unknown(args)
        if missing is not None and name != "coalesce":
            return missing
        try:
            return function(*args)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):
            return Unknown(f"{name}() on line {expr.line} could not be evaluated")

    def _file(self, args: list[Any], line: int) -> Any:
        if len(args) != 1 or not isinstance(args[0], str):
            return first_unknown(args) or Unknown(f"file() on line {line} has no literal path")
        return self.scope.read_file(args[0])

    def _templatefile(self, args: list[Any], line: int) -> Any:
        if len(args) != 2 or not isinstance(args[0], str) or not isinstance(args[1], dict):
            return first_unknown(args) or Unknown(f"templatefile() on line {line} could not be evaluated")
        text = self.scope.read_file(args[0])
        if isinstance(text, Unknown):
            return text
        template = hcl.template_from_text(text, 1)
        return Evaluator(NameScope(self.scope, dict(args[1]))).eval(template)


class NameScope:
    """A scope that adds names (for-loop variables, templatefile vars) over a parent scope."""

    def __init__(self, parent: Scope, names: dict[str, Any]) -> None:
        self.parent = parent
        self.names = names

    def resolve(self, name: str, steps: list[Any], line: int) -> Any:
        if name in self.names:
            return get_path(self.names[name], steps)
        return self.parent.resolve(name, steps, line)

    @property
    def budget(self) -> Budget:
        return self.parent.budget

    def read_file(self, path: str) -> str | Unknown:
        return self.parent.read_file(path)


def _try(ev: Evaluator, expr: hcl.Call) -> Any:
    last: Any = Unknown(f"try() on line {expr.line} had no evaluable argument")
    for arg in expr.args:
        value = ev.eval(arg)
        if not isinstance(value, Unknown):
            return value
        last = value
    return last


def _can(ev: Evaluator, expr: hcl.Call) -> Any:
    value = ev.eval(expr.args[0]) if expr.args else None
    return Unknown(f"can() on line {expr.line}") if isinstance(value, Unknown) else True


_LAZY_FUNCTIONS: dict[str, Callable[[Evaluator, hcl.Call], Any]] = {"try": _try, "can": _can}
