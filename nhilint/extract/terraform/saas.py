"""SaaS application identities and API tokens (Terraform): Okta and Auth0 machine-to-machine apps,
Cloudflare API tokens.

These identities live outside any cloud account yet hold standing access to a tenant: an OAuth client
with the client-credentials grant acts with no user present, and its secret works until someone revokes it.
They become identities of kind `application`, so the owner, expiry and retirement rules judge them as
they judge a role or a service account; their secrets and tokens become credentials.

- Okta `okta_app_oauth`: a service app (`type = "service"`, or any app with the `client_credentials`
  grant) is an identity; with a secret auth method (`client_secret_basic`, the default, or `_post`/`_jwt`)
  it has a `client_secret` credential that never expires. `okta_app_oauth_api_scope` grants its `scopes`
  (permission_type "scope"); `okta.*.manage` scopes are admin-level (NHI-PRIV-004).
- Auth0 `auth0_client` with `app_type = "non_interactive"` is an identity; `auth0_client_grant` grants its
  `scopes` on an `audience`; `auth0_client_credentials` with a secret auth method is a `client_secret`.
- Cloudflare `cloudflare_api_token`: the token is both the identity (kind `api_token`) and its credential,
  which expires at `expires_on`; each policy is a Grant of its permission groups on its resources.

Datadog keys, writable GitHub deploy keys and Snowflake service users are read by `saas_keys`, MongoDB Atlas
service accounts by `saas_atlas`, whose handlers this table carries.
"""

from __future__ import annotations

from typing import Final

from nhilint.extract.builder import Builder
from nhilint.extract.common import (
    Link,
    add_identity,
    add_literal_secret,
    as_list,
    credential_of,
    link,
    text_of,
)
from nhilint.extract.terraform import saas_atlas, saas_keys
from nhilint.extract.terraform.table import PlatformTable
from nhilint.model import ActionPattern, Fact, Grant, Identity, Platform, Unknown
from nhilint.parse.terraform import TfResource
from nhilint.values import to_text

OKTA: Final = "okta"
AUTH0: Final = "auth0"
CLOUDFLARE: Final = "cloudflare"
OKTA_APP = ("okta_app_oauth",)
AUTH0_CLIENT = ("auth0_client",)
SECRET_AUTH = frozenset({"client_secret_basic", "client_secret_post", "client_secret_jwt"})


def _texts(resource: TfResource, attr: str) -> list[str]:
    return [t for t in (to_text(v) for v in as_list(resource.get(attr))) if isinstance(t, str)]


def _attributes(resource: TfResource, *attrs: str) -> tuple[tuple[str, str], ...]:
    found = []
    for attr in attrs:
        values = _texts(resource, attr)
        if values:
            found.append((attr, ",".join(values)))
    return tuple(found)


def _secret(resource: TfResource, builder: Builder, platform: Platform, of: Link, types: tuple[str, ...]) -> None:
    credential = credential_of(resource, builder, "client_secret", platform, part="client_secret")
    builder.add_credential(credential, of, types)


def _scope_grant(
    resource: TfResource, builder: Builder, platform: Platform, of: Link, types: tuple[str, ...], audience: str
) -> None:
    scopes = resource.get("scopes")
    unknown = scopes.reason if isinstance(scopes, Unknown) else None
    grant = Grant(
        None,
        tuple(ActionPattern(s) for s in _texts(resource, "scopes")),
        (audience,),
        f"scope grant {resource.address}",
        resource.address,
        resource.at("scopes"),
        resource.location,
        permission_type="scope",
        platform=platform,
        unknown=unknown,
    )
    builder.add_grant(grant, of, types)


# -- Okta ------------------------------------------------------------------------------------------


def okta_app(resource: TfResource, builder: Builder) -> None:
    kind = to_text(resource.get("type"))
    grants = _texts(resource, "grant_types")
    if kind != "service" and "client_credentials" not in grants:
        return  # a sign-in app for people, not a machine identity
    auth = to_text(resource.get("token_endpoint_auth_method", "client_secret_basic"))
    attributes = (*_attributes(resource, "grant_types"), ("auth_method", auth if isinstance(auth, str) else "?"))
    identity = add_identity(resource, builder, "application", OKTA, "label", None, attributes=attributes)
    if not isinstance(auth, str) or auth in SECRET_AUTH:
        _secret(resource, builder, OKTA, identity.id, ())


def okta_api_scope(resource: TfResource, builder: Builder) -> None:
    issuer, _ = text_of(resource, "issuer")
    _scope_grant(resource, builder, OKTA, link(resource.get("app_id")), OKTA_APP, issuer or "okta")


# -- Auth0 -----------------------------------------------------------------------------------------


def auth0_client(resource: TfResource, builder: Builder) -> None:
    if to_text(resource.get("app_type")) != "non_interactive":
        return
    add_identity(resource, builder, "application", AUTH0, "name", None, attributes=_attributes(resource, "grant_types"))


def auth0_client_grant(resource: TfResource, builder: Builder) -> None:
    audience, _ = text_of(resource, "audience")
    _scope_grant(resource, builder, AUTH0, link(resource.get("client_id")), AUTH0_CLIENT, audience or "auth0")


def auth0_client_credentials(resource: TfResource, builder: Builder) -> None:
    method = to_text(resource.get("authentication_method"))
    if not isinstance(method, str) or method in SECRET_AUTH:
        _secret(resource, builder, AUTH0, link(resource.get("client_id")), AUTH0_CLIENT)
    add_literal_secret(resource, builder, "client_secret", AUTH0)


# -- Cloudflare ------------------------------------------------------------------------------------


def cloudflare_token(resource: TfResource, builder: Builder) -> None:
    identity: Identity = add_identity(resource, builder, "api_token", CLOUDFLARE, "name", None)
    expires = None
    if resource.has("expires_on"):
        text, reason = text_of(resource, "expires_on")
        expires = Fact(Unknown(reason) if reason else text, "expires_on", resource.at("expires_on"))
    credential = credential_of(resource, builder, "api_token", CLOUDFLARE, part="value", expires=expires)
    builder.add_credential(credential, identity.id, ())
    for block in [*resource.blocks("policy"), *resource.blocks("policies")]:
        groups = [to_text(g.get("id")) for g in block.blocks("permission_groups")]
        groups += [to_text(g) for g in as_list(block.get("permission_groups")) if not isinstance(g, dict)]
        groups += [to_text(g.get("id")) for g in as_list(block.get("permission_groups")) if isinstance(g, dict)]
        resources_value = block.get("resources")
        scope = tuple(str(k) for k in resources_value) if isinstance(resources_value, dict) else ("*",)
        effect = to_text(block.get("effect", "allow"))
        grant = Grant(
            identity.id,
            tuple(ActionPattern(g) for g in groups if isinstance(g, str)),
            scope,
            f"token policy of {resource.address}",
            resource.address,
            block.location,
            resource.location,
            permission_type="permission_group",
            effect="Deny" if effect == "deny" else "Allow",
            platform=CLOUDFLARE,
            unknown=next((g.reason for g in groups if isinstance(g, Unknown)), None),
        )
        builder.inventory.grants.append(grant)


TABLE = PlatformTable(
    name="saas",
    first=frozenset({"okta_app_oauth", "auth0_client", *saas_keys.SNOWFLAKE_USERS, *saas_atlas.ACCOUNTS}),
    handlers={
        "okta_app_oauth": okta_app,
        "okta_app_oauth_api_scope": okta_api_scope,
        "auth0_client": auth0_client,
        "auth0_client_grant": auth0_client_grant,
        "auth0_client_credentials": auth0_client_credentials,
        "cloudflare_api_token": cloudflare_token,
        **saas_keys.HANDLERS,
        **saas_atlas.HANDLERS,
    },
)
