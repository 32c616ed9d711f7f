"""Routes limited every way a project limits them, for the rate-limit tests."""
