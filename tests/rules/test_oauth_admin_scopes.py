from nhilint.rules.agent_oauth_admin_scopes import auth0_admin_scopes, vendor_admin_scopes


def test_auth0_management_api_admin_scopes() -> None:
    scopes = ["read:users", "update:users", "create:client_grants", "delete:rules", "read:logs", "create:refunds"]
    assert auth0_admin_scopes(scopes) == ["update:users", "create:client_grants", "delete:rules"]


def test_vendor_admin_scopes() -> None:
    admin = [
        "admin:org",
        "delete_repo",
        "https://www.googleapis.com/auth/cloud-platform",
        "https://www.googleapis.com/auth/admin.directory.user",
        "full",
        "admin.users:write",
        "okta.users.manage",
        "soar-api/admin.readwrite.all",
        "https://graph.microsoft.com/RoleManagement.ReadWrite.Directory",
        "*",
    ]
    narrow = [
        "repo",
        "read:org",
        "contacts.read",
        "https://www.googleapis.com/auth/drive.readonly",
        "okta.users.read",
        "https://graph.microsoft.com/User.Read.All",
        "api",
    ]
    assert vendor_admin_scopes(admin + narrow) == admin
