"""The WSGI entry point: ``gunicorn run:app`` or ``flask --app run run``."""

from app import create_app
from config import config_for_environment

app = create_app(config_for_environment())
