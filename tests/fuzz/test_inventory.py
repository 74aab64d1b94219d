"""Properties 1 and 2: a rendered model scans without an exception and the inventory is exactly the model.

Same identities (id, kind, owner, expiry), same grants (principal, effect, actions) and trusts per identity,
same workloads, in every format the model is rendered to, and no NHI-PARSE finding on valid input.
"""

from __future__ import annotations

import json

import hcl2
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import expect, render
from tests.fuzz.layout import Layout, layouts
from tests.fuzz.model import CloudModel, K8sModel, cloud_models, k8s_models

pytestmark = pytest.mark.fuzz


def _no_parse_findings(report: expect.Report) -> None:
    assert [f for f in report.findings if f.rule_id.startswith("NHI-PARSE")] == []
    assert report.inventory.errors == []


@given(cloud_models(), layouts, k8s_models())
def test_rendered_files_are_valid_in_their_own_format(model: CloudModel, layout: Layout, k8s: K8sModel) -> None:
    """The generators themselves: what they write is what a parser reads back (so a failure below is nhilint's)."""
    for text in render.terraform(model, layout).values():
        hcl2.loads(text)
    files, _ = render.cloudformation(model, layout)
    for path, text in files.items():
        assert yaml.safe_load(text)["Resources"], path
    files, _ = render.cloudformation(model, layout, as_json=True)
    for text in files.values():
        json.loads(text)
    documents = [d for text in render.kubernetes(k8s, layout).values() for d in yaml.safe_load_all(text)]
    assert sorted(map(_canonical, documents)) == sorted(map(_canonical, render.kubernetes_documents(k8s)))


def _canonical(document: object) -> str:
    return json.dumps(document, sort_keys=True)


@given(cloud_models(), layouts)
def test_terraform_inventory_is_the_model(model: CloudModel, layout: Layout) -> None:
    with expect.scanned(render.terraform(model, layout)) as report:
        _no_parse_findings(report)
        assert expect.facts_of(report) == expect.terraform_facts(model)
        id_of = {i.label: f"aws:{prefix}aws_iam_{i.kind}.{i.label}" for prefix, i in model.aws()}
        assert expect.grants_of(report) == expect.aws_grants(model, id_of) + expect.gcp_grants(model)
        assert expect.trusts_of(report) == expect.aws_trusts(model, id_of)


@given(cloud_models(), layouts, st.booleans())
def test_cloudformation_inventory_is_the_model(model: CloudModel, layout: Layout, as_json: bool) -> None:
    files, template_of = render.cloudformation(model, layout, as_json=as_json)
    with expect.scanned(files) as report:
        _no_parse_findings(report)
        assert expect.facts_of(report) == expect.cloudformation_facts(model, template_of)
        id_of = {i.label: f"aws:{template_of[i.logical_id]}#{i.logical_id}" for _, i in model.aws()}
        assert expect.grants_of(report) == expect.aws_grants(model, id_of)
        assert expect.trusts_of(report) == expect.aws_trusts(model, id_of)


@given(k8s_models(), layouts)
def test_kubernetes_inventory_is_the_model(model: K8sModel, layout: Layout) -> None:
    with expect.scanned(render.kubernetes(model, layout)) as report:
        _no_parse_findings(report)
        assert expect.facts_of(report) == expect.k8s_facts(model)
        assert expect.grants_of(report) == expect.k8s_grants(model)
        assert expect.usages_of(report) == expect.k8s_usages(model)
