from nhilint.rules.oidc_issuers import restricts_tenant, tenant_claims


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
