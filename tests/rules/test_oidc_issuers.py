from nhilint.rules.oidc_issuers import issuer_host, restricts_tenant, tenant_claims, unpinned_github_subject


def test_multi_tenant_issuers_by_host() -> None:
    assert tenant_claims("https://gitlab.com/") is not None
    assert tenant_claims("token.actions.githubusercontent.com") is not None
    assert tenant_claims("https://oidc.circleci.com/org/6c1b6f53") is not None
    assert tenant_claims("https://gitlab.acme.io") is None
    assert tenant_claims("https://sso.acme.io/realms/platform") is None


def test_attribute_condition_must_read_a_tenant_claim() -> None:
    github = tenant_claims("https://token.actions.githubusercontent.com")
    circleci = tenant_claims("https://oidc.circleci.com/org/6c1b6f53")
    assert github is not None and circleci is not None
    assert restricts_tenant("assertion.repository_owner == 'acme'", github)
    assert restricts_tenant("attribute.repository in ['acme/app', 'acme/infra']", github)
    assert not restricts_tenant("assertion.ref == 'refs/heads/main'", github)
    assert not restricts_tenant("assertion.repository_visibility == 'private'", github)
    assert restricts_tenant("assertion['oidc.circleci.com/project-id'] == 'a1b2'", circleci)


def test_github_subjects_that_name_no_repository() -> None:
    github = "https://token.actions.githubusercontent.com"
    assert unpinned_github_subject(github, "repository_owner:acme") == "every repository of acme"
    assert unpinned_github_subject("token.actions.githubusercontent.com", "repository_owner_id:42:context:prod")
    assert unpinned_github_subject(github, "job_workflow_ref:acme/ci/.github/workflows/deploy.yml@refs/heads/main")
    assert unpinned_github_subject(github, "environment:production") == "every repository on GitHub"
    assert unpinned_github_subject(github, "repo:acme/app:environment:production") is None
    assert unpinned_github_subject(github, "repository_owner:acme:repository:acme/app") is None
    assert unpinned_github_subject(github, "repository_id:123456") is None
    assert unpinned_github_subject("https://gitlab.com", "project_path:acme/app:ref_type:branch:ref:main") is None
    arn = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
    assert issuer_host(arn) == "token.actions.githubusercontent.com"
