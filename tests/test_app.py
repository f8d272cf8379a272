def test_home_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Take part" in response.data


def test_login_as_fixture_logs_a_user_in(app, client, make_user, login_as):
    from flask_login import current_user

    official = make_user(roles=("official",))
    login_as(client, official)
    with client:
        client.get("/")
        assert current_user.is_authenticated and current_user.has_role("official")


import pytest  # noqa: E402


@pytest.mark.parametrize("path, empty_text", [
    ("/budgets/", b"There are no budgets to show yet."),
    ("/conversations/", b"There are no conversations to show yet."),
])
def test_empty_sections_say_so_honestly(client, path, empty_text):
    response = client.get(path)
    assert response.status_code == 200 and empty_text in response.data


def test_every_page_has_the_landmarks_and_navigation(client):
    html = client.get("/").get_data(as_text=True)
    for fragment in ('class="skip-link" href="#main"', "<header", '<nav class="site-nav"',
                     '<main id="main"', "<footer", 'href="/budgets/"', 'href="/conversations/"',
                     'href="/petitions/"', 'href="/login"', "繁體中文"):
        assert fragment in html
