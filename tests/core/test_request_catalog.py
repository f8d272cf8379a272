"""Templates translate through the request's catalog, found once per request and locale
(core.web.request_catalog): a page in Chinese stays Chinese, and an email written in the
recipient's language inside that request (force_locale) gets that language's strings."""
from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale

from tests.helpers import make_app


def test_templates_follow_the_page_language_and_force_locale(app):
    template = "{{ _('Petitions') }}|{{ ngettext('%(num)d project', '%(num)d projects', 2) }}"
    with app.test_request_context(headers={"Accept-Language": "zh-TW"}):
        chinese = render_template_string(template)
        with force_locale("en"):
            english = render_template_string(template)
        again = render_template_string(template)
    assert english == "Petitions|2 projects"
    assert chinese == again != english
    assert chinese.startswith("請願")


def test_each_request_finds_its_own_language(tmp_path):
    app = make_app(tmp_path)  # no app context around the requests: each gets its own
    for header, word in (("zh-TW", "請願"), ("en", "Petitions"), ("zh-HK", "請願")):
        with app.test_request_context(headers={"Accept-Language": header}):
            assert render_template_string("{{ _('Petitions') }}").startswith(word)


def test_template_translations_escape_their_variables_as_jinja_does(app):
    with app.test_request_context():
        # The message's own markup stays, the variable is escaped (both, were it a str).
        assert render_template_string('{{ _("<em>%(title)s</em>", title="<b>&") }}') \
            == "<em>&lt;b&gt;&amp;</em>"
        assert render_template_string('{{ _("100%% sure") }}') == "100% sure"
        assert render_template_string(
            '{{ ngettext("%(num)d <em>project</em> of %(who)s", "%(num)d <em>projects</em> of '
            '%(who)s", 2, who="<i>") }}') == "2 <em>projects</em> of &lt;i&gt;"
        assert render_template_string(
            '{% autoescape false %}{{ _("Edit %(title)s", title="<b>") }}{% endautoescape %}'
        ) == "Edit <b>"
