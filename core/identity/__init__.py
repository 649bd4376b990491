"""Identity and access: organisations, users, login, sessions, tokens, roles."""
