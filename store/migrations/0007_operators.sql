-- Watchpost schema 7: operator management and the permission table.

-- must_change: an administrator reset the password; the operator changes it at the next
-- sign-in before doing anything else.
ALTER TABLE operators ADD COLUMN must_change INTEGER NOT NULL DEFAULT 0;

-- The permission table's differences from the defaults the code has (app/permissions.go),
-- written with the permissions.changed journal entry that changed them.
CREATE TABLE role_permissions (
    role    TEXT NOT NULL,
    action  TEXT NOT NULL,
    allowed INTEGER NOT NULL,
    PRIMARY KEY (role, action)
) STRICT;
