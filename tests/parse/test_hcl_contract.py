"""Contract tests pinning python-hcl2's parse tree shape, so an upgrade that changes it fails loudly.

nhilint reads python-hcl2's Lark tree (rule names and child order from its `hcl2.lark` grammar), not
its dict output. If any assertion here fails after an upgrade, adapt nhilint/parse/hcl.py.
"""

from __future__ import annotations

from importlib.metadata import version

from lark import Tree

from nhilint.parse.hcl import _parser


def _rules(tree: Tree) -> set[str]:  # type: ignore[type-arg]
    return {t.data for t in tree.iter_subtrees()}


def test_pinned_major_version() -> None:
    assert version("python-hcl2").split(".")[0] == "7"


def test_rule_names_nhilint_depends_on() -> None:
    tree = _parser().parse(
        'resource "a" "b" {\n'
        '  s = "x${var.y}$${z}"\n'
        "  f = merge(var.t, { k = 1.5 })\n"
        "  i = aws_iam_role.r[0].arn\n"
        "  c = var.a == 1 ? [for v in var.l : v if v != null] : {for k, v in var.m : k => v}\n"
        "  p = data.x.y[*].arn\n"
        "  h = <<EOF\nhello\nEOF\n"
        "  n = -1\n"
        '  t = ["a", 1]\n'
        "  nested { x = true }\n"
        "}\n"
    )
    expected = {
        "start",
        "body",
        "block",
        "attribute",
        "identifier",
        "string",
        "string_part",
        "interpolation",
        "function_call",
        "arguments",
        "object",
        "object_elem",
        "object_elem_key",
        "float_lit",
        "int_lit",
        "index_expr_term",
        "get_attr_expr_term",
        "get_attr",
        "index",
        "conditional",
        "binary_op",
        "binary_term",
        "binary_operator",
        "for_tuple_expr",
        "for_object_expr",
        "for_intro",
        "for_cond",
        "full_splat_expr_term",
        "full_splat",
        "heredoc_template",
        "expr_term",
        "tuple",
    }
    assert expected <= _rules(tree)


def test_attribute_and_block_shape() -> None:
    tree = _parser().parse('resource "t" "n" {\n  a = 1\n}\n')
    body = tree.children[0]
    block = next(c for c in body.children if isinstance(c, Tree) and c.data == "block")
    assert [c.data for c in block.children if isinstance(c, Tree)][:3] == ["identifier", "string", "string"]
    assert block.meta.line == 1 and block.meta.end_line == 3
    inner = [c for c in block.children if isinstance(c, Tree)][-1]
    attribute = next(c for c in inner.children if isinstance(c, Tree) and c.data == "attribute")
    assert attribute.children[0].data == "identifier"
    assert attribute.meta.line == 2


def test_escaped_interpolation_is_its_own_token() -> None:
    tree = _parser().parse('a = "arn:$${aws:username}"\n')
    tokens = [t.type for t in tree.scan_values(lambda v: hasattr(v, "type"))]
    assert "ESCAPED_INTERPOLATION" in tokens
