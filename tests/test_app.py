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
