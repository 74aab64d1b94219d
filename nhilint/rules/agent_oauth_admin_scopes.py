"""A machine-to-machine OAuth grant should not carry scopes that administer the service it calls.

A client-credentials grant acts with the application's own authority, not a user's: whoever holds the client
secret (or steers the agent that uses it) holds every scope granted. Scopes that administer the service
let the holder create users and clients, hand out grants and change the tenant itself, which no single tool
needs (OWASP NHI5 overprivileged NHI, LLM06 "Excessive Agency"). Reported:

- an Auth0 `auth0_client_grant` to the Management API (audience `https://<tenant>/api/v2/`) with a
  `create:`, `update:` or `delete:` scope on users, clients, client grants or keys, roles, connections, resource
  servers, actions, rules or hooks (code run at every login), custom domains, signing keys, organization
  members, user tickets (password-reset links) or tenant settings: each lets the client make itself, or
  anyone, an administrator of the tenant;
- an AgentCore gateway target whose OAuth credential provider requests an administrative scope of a
  well-known service (`admin:org` and other `admin:` scopes, `delete_repo`; Google `cloud-platform` and Admin
  SDK directory scopes; Salesforce `full`; Slack `admin.*`; Okta `okta.*.manage`; a tier-0 Microsoft Graph
  permission; `*`). Okta `okta_app_oauth_api_scope` grants are judged by NHI-PRIV-004.

An Auth0 grant whose scopes cannot be evaluated is reported as unknown.

Anti-pattern::

    resource "auth0_client_grant" "support_bot" {
      client_id = auth0_client.support_bot.id
      audience  = "https://acme.eu.auth0.com/api/v2/"
      scopes    = ["read:users", "update:users", "create:user_tickets"]
    }

Best practice: grant the Management API only the `read:` scopes the tool needs, and give write operations
to a separate, reviewed client.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from nhilint.data import graph_admin
from nhilint.model import Finding, Severity, Unknown
from nhilint.rules.base import Context, Rule, label, short_address

SHOWN = 4
MANAGEMENT_API = re.compile(r"^https://[^/]+/api/v2/?$", re.IGNORECASE)
AUTH0_ADMIN = re.compile(
    r"^(create|update|delete):(users|users_app_metadata|user_tickets|clients|client_keys|client_credentials|"
    r"client_grants|roles|role_members|connections|resource_servers|actions|rules|hooks|custom_domains|"
    r"signing_keys|organization_members|organization_member_roles|tenant_settings|guardian_factors)$"
)
VENDOR_ADMIN = re.compile(
    r"^(\*|admin|admin[:.].*|.*/admin(\.[a-z.]+)?|delete_repo|site_admin|full|okta\.[a-z]+\.manage|"
    r"https://www\.googleapis\.com/auth/(cloud-platform|admin\.directory\..*|iam)|https://mail\.google\.com/)$",
    re.IGNORECASE,
)
GRAPH_SCOPE = "https://graph.microsoft.com/"


def auth0_admin_scopes(scopes: list[str]) -> list[str]:
    return [s for s in scopes if AUTH0_ADMIN.match(s.strip())]


def vendor_admin_scopes(scopes: list[str]) -> list[str]:
    """Administrative scopes of well-known OAuth services (and tier-0 Graph permissions)."""
    found = []
    for scope in (s.strip() for s in scopes):
        graph = scope[len(GRAPH_SCOPE) :] if scope.lower().startswith(GRAPH_SCOPE) else None
        if VENDOR_ADMIN.match(scope) or (graph and graph_admin(graph)):
            found.append(scope)
    return found


def _shown(scopes: list[str]) -> str:
    more = f" and {len(scopes) - SHOWN} more" if len(scopes) > SHOWN else ""
    return ", ".join(scopes[:SHOWN]) + more


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    identities = ctx.inventory.identities
    for grant in ctx.inventory.grants:
        if grant.platform != "auth0" or grant.permission_type != "scope" or grant.effect != "Allow":
            continue
        if not any(MANAGEMENT_API.match(s) for s in grant.scope if not isinstance(s, Unknown)):
            continue
        subject = identities.get(grant.principal) if grant.principal else None
        who = label(subject) if subject else f"client grant {short_address(grant.source)}"
        if grant.unknown:
            yield rule.finding(
                f"could not evaluate the Management API scopes granted to {who}: {grant.unknown}",
                grant.location,
                subject,
                grant.via,
                grant.block,
                True,
                ctx,
            )
            continue
        admin = auth0_admin_scopes([str(p) for p in grant.permissions])
        if admin:
            yield rule.finding(
                f"{who} may administer the Auth0 tenant through the Management API: {_shown(admin)}",
                grant.location,
                subject,
                f"{grant.via}: {_shown(admin)}",
                grant.block,
            )
    for tool in ctx.inventory.agent_tools:
        if tool.attribute("credential") != "oauth" or not tool.attribute("scopes"):
            continue
        admin = vendor_admin_scopes((tool.attribute("scopes") or "").split(","))
        if not admin:
            continue
        agent = identities.get(tool.agent) if isinstance(tool.agent, str) else None
        grant_type = tool.attribute("grant_type") or "OAuth"
        yield rule.finding(
            f"tool {short_address(tool.address)} calls its service with administrative OAuth scopes "
            f"({grant_type}): {_shown(admin)}; request only the scopes its operations need",
            tool.location,
            agent,
            f"scopes: {_shown(admin)}",
            tool.location,
        )


RULE = Rule(
    "NHI-AGENT-007",
    "oauth-admin-scopes",
    Severity.HIGH,
    "NHI5",
    "Machine-to-machine OAuth grant with administrative scopes",
    check,
)
