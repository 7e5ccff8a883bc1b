"""Who may do what (roles and permissions) and who sees which rows (scoping)."""
