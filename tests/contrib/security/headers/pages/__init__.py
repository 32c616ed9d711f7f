"""Routes the security-header, CORS and proxy tests request: one of each kind of response."""
