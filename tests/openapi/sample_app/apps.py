from kwik.apps import AppConfig


class SampleConfig(AppConfig):
    label = "sample"
    route_prefix = "/api"
