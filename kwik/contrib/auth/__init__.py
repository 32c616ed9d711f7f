"""Auth: users, groups, permissions, passwords, tokens and sessions (docs/auth.md).

Add `"kwik.contrib.auth"` to INSTALLED_APPS. The models are in `kwik.contrib.auth.models`
(imported while the project loads); everything here can be imported at any time.
"""

from __future__ import annotations

from kwik.contrib.auth.authentication import authenticate
from kwik.contrib.auth.base_user import AbstractUser, normalize_email
from kwik.contrib.auth.dependencies import (
    Authentication,
    CurrentAuthentication,
    CurrentUser,
    OptionalUser,
    current_user,
    optional_user,
    require_permissions,
    require_staff,
    require_superuser,
)
from kwik.contrib.auth.expired import Deleted, delete_expired
from kwik.contrib.auth.passwords import (
    InvalidPassword,
    PasswordProblem,
    Verification,
    hash_password,
    needs_rehash,
    validate_password,
    verify_dummy_password,
    verify_password,
)
from kwik.contrib.auth.permissions import (
    add_to_groups,
    check_perms,
    get_permissions,
    grant,
    has_perm,
    has_perms,
    remove_from_groups,
    revoke,
    user_permissions,
)
from kwik.contrib.auth.schemas import UserOut
from kwik.contrib.auth.senders import (
    ConsoleSender,
    MemorySender,
    PasswordResetMessage,
    PasswordResetSender,
)
from kwik.contrib.auth.sessions import end_user_sessions, start_session
from kwik.contrib.auth.tokens import issue_token, revoke_user_tokens
from kwik.contrib.auth.users import (
    USER_ID_TYPE,
    find_user,
    get_user_model,
    is_swapped,
    user_foreign_key,
    user_id_column,
    user_table,
    user_table_name,
)

__all__ = [
    "USER_ID_TYPE",
    "AbstractUser",
    "Authentication",
    "ConsoleSender",
    "CurrentAuthentication",
    "CurrentUser",
    "Deleted",
    "InvalidPassword",
    "MemorySender",
    "OptionalUser",
    "PasswordProblem",
    "PasswordResetMessage",
    "PasswordResetSender",
    "UserOut",
    "Verification",
    "add_to_groups",
    "authenticate",
    "check_perms",
    "current_user",
    "delete_expired",
    "end_user_sessions",
    "find_user",
    "get_permissions",
    "get_user_model",
    "grant",
    "has_perm",
    "has_perms",
    "hash_password",
    "is_swapped",
    "issue_token",
    "needs_rehash",
    "normalize_email",
    "optional_user",
    "remove_from_groups",
    "require_permissions",
    "require_staff",
    "require_superuser",
    "revoke",
    "revoke_user_tokens",
    "start_session",
    "user_foreign_key",
    "user_id_column",
    "user_permissions",
    "user_table",
    "user_table_name",
    "validate_password",
    "verify_dummy_password",
    "verify_password",
]
