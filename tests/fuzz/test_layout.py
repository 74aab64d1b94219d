"""Property 3: block order, the split into files, file names and whitespace change no finding but its place.

Two independent layouts of one model (order, files, names, indentation, alignment, blank lines, YAML list
forms, bare-string singletons, YAML versus JSON templates) must give the same findings once file paths and
line numbers are taken out of them; and each finding's line must point into its file.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import expect, render
from tests.fuzz.layout import Layout, layouts
from tests.fuzz.model import CloudModel, K8sModel, cloud_models, k8s_models

pytestmark = pytest.mark.fuzz


def _shapes(files: dict[str, str]) -> expect.Shape:
    with expect.scanned(files) as report:
        for finding in report.findings:
            lines = files[finding.location.path].count("\n") + 1
            assert 1 <= finding.location.start_line <= finding.location.end_line <= lines, finding
        return expect.finding_shapes(report)


@given(cloud_models(), layouts, layouts)
def test_terraform_layout_changes_no_finding(model: CloudModel, first: Layout, second: Layout) -> None:
    assert _shapes(render.terraform(model, first)) == _shapes(render.terraform(model, second))


@given(cloud_models(), layouts, layouts, st.booleans(), st.booleans())
def test_cloudformation_layout_changes_no_finding(
    model: CloudModel, first: Layout, second: Layout, first_json: bool, second_json: bool
) -> None:
    one, _ = render.cloudformation(model, first, first_json)
    two, _ = render.cloudformation(model, second, second_json)
    assert _shapes(one) == _shapes(two)


@given(k8s_models(), layouts, layouts)
def test_kubernetes_layout_changes_no_finding(model: K8sModel, first: Layout, second: Layout) -> None:
    assert _shapes(render.kubernetes(model, first)) == _shapes(render.kubernetes(model, second))


@given(cloud_models(), k8s_models(), layouts, layouts)
def test_formats_side_by_side_change_nothing(cloud: CloudModel, k8s: K8sModel, first: Layout, second: Layout) -> None:
    """All formats in one scan (the same roles in Terraform and a template link across formats, by name, so
    this is not the sum of the formats scanned alone): the layout still changes nothing."""

    def files(layout: Layout, as_json: bool) -> dict[str, str]:
        cfn, _ = render.cloudformation(cloud, layout, as_json)
        return {**render.terraform(cloud, layout), **cfn, **render.kubernetes(k8s, layout)}

    assert _shapes(files(first, False)) == _shapes(files(second, True))
