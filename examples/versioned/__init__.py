"""A users API in two versions (docs/versioning.md's worked example).

v1 called a user's name `full_name` and had a `newsletter` flag; v2 calls it `name`, moved
newsletters elsewhere and added `locale`. The list changed shape too: v1 answers a bare list,
v2 a page. v1 is deprecated and retires on its sunset date.

- `GET /users`: two handlers, one per version, because the two answers share nothing;
- `GET /users/{id}` and `POST /users`: one handler each, written for v2, serving v1 through
  the changes declared on the route;
- `DELETE /users/{id}`: new in v2.

The data lives in memory and is seeded when the server starts: no models, no migrations.

Copy it into a project as the `users` app (`cp -R examples/versioned users`), then in the
project's settings:

    INSTALLED_APPS = ["kwik.contrib.versioning", "users"]
    API_VERSIONS = {
        "v1": {
            "deprecated": "2026-06-01",
            "sunset": "2027-06-30",
            "link": "https://example.com/docs/upgrading-to-v2",
        },
        "v2": {},
    }

and run it:

    kwik runserver
    curl -i http://127.0.0.1:8000/v1/users/1     # full_name, newsletter; Deprecation, Sunset
    curl -i http://127.0.0.1:8000/v2/users/1     # name, locale
    kwik api diff v1 v2                          # what v1 clients must change
"""
