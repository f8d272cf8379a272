"""plotly.js under the CSP without a browser: the stylesheet the bundle would inject inline
is served as a file under the id plotly.js looks for; no 404 for the favicon."""
from __future__ import annotations

from core.web import PLOTLY_JS, plotly_bundled_css


def test_the_bundled_stylesheet_is_a_file_under_the_id_plotly_checks(client):
    element_id, css = plotly_bundled_css()
    source = PLOTLY_JS.read_text(encoding="utf-8")
    assert f'document.getElementById("{element_id}")' in source and css in source
    response = client.get("/vendor/plotly-bundled.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert response.get_data(as_text=True) == css
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_the_favicon_is_an_empty_answer(client):
    assert client.get("/favicon.ico").status_code == 204
