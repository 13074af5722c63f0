"""Staff: the admin site and its sign-in, roles, sessions, who may read what, patient data requests, retention."""
