"""The same three endpoints in each framework, one ASGI module per framework.

Every app uses the models in `schemas.py`, so each validates exactly what the others validate.
"""
