"""The petitions blueprint, alone: web.py (public pages), staff_web.py (staff pages) and cli.py
(`flask petitions ...`) each import it and add their routes or commands; create_app imports
all three and registers it once."""
from flask import Blueprint

bp = Blueprint("petitions", __name__, url_prefix="/petitions", cli_group="petitions")
