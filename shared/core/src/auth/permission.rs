//! The permission matrix: what each role and each API-key scope may do.
//! Handlers ask for one [`Permission`]; this file is the only place that
//! knows which roles and scopes grant it (docs/permissions.md mirrors it).

use serde::Serialize;

use crate::domain::{Role, Scope};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read the tenant's profile and settings.
    TenantRead,
    /// Edit the tenant's profile and settings, read usage, configure the LLM provider.
    TenantManage,
    UsersManage,
    ApiKeysManage,
    AgentsRead,
    AgentsManage,
    SessionsRead,
    SessionsWrite,
    Chat,
}

impl Permission {
    pub const ALL: [Permission; 9] = [
        Self::TenantRead,
        Self::TenantManage,
        Self::UsersManage,
        Self::ApiKeysManage,
        Self::AgentsRead,
        Self::AgentsManage,
        Self::SessionsRead,
        Self::SessionsWrite,
        Self::Chat,
    ];
}

impl Role {
    pub fn grants(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::User => matches!(permission, TenantRead | AgentsRead | SessionsRead | SessionsWrite | Chat),
            Role::Viewer => matches!(permission, TenantRead | AgentsRead | SessionsRead),
        }
    }
}

impl Scope {
    pub fn grants(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Scope::Admin => true,
            Scope::Chat => matches!(permission, Chat | AgentsRead),
            Scope::SessionsRead => matches!(permission, SessionsRead),
            Scope::SessionsWrite => matches!(permission, SessionsRead | SessionsWrite),
            Scope::AgentsManage => matches!(permission, AgentsRead | AgentsManage),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_nest_admin_over_user_over_viewer() {
        for p in Permission::ALL {
            assert!(!Role::Viewer.grants(p) || Role::User.grants(p), "{p:?}");
            assert!(!Role::User.grants(p) || Role::Admin.grants(p), "{p:?}");
        }
        assert!(!Role::User.grants(Permission::UsersManage));
        assert!(!Role::Viewer.grants(Permission::Chat));
    }
}
