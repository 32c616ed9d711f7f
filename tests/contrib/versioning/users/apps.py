from kwik.apps import AppConfig


class UsersConfig(AppConfig):
    name = "tests.contrib.versioning.users"
    label = "users"
    route_prefix = ""
