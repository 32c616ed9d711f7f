"""Orders behind API keys with scopes (docs/security.md's worked example).

A partner's service lists orders with a key granted `orders:read`, and places them with one
granted `orders:write`; a key granted `orders:*` does both. Every order records the key that
placed it.

Copy it into a project as the `orders` app (`cp -R examples/orders orders`), add it and
`kwik.contrib.security` to INSTALLED_APPS, then:

    kwik makemigrations && kwik migrate
    kwik apikeys create partner --scope orders:read --scope orders:write --expires-in 90d
    kwik runserver
    curl -H "X-API-Key: kwk_..." http://127.0.0.1:8000/orders/
"""
