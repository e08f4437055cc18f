"""Logins that end when they should (issue 14): one record per login, checked on every request and socket.

The replay test: cookies saved while logged in, replayed alone in a fresh client after the login ended, get
the login page and have their socket refused, in every namespace. Each replay is counted (REPLAYS, printed
at the end of the module with `-s`); before the login ends, the same cookies are replayed once more as the
control, and must open the page and the sockets, or the refusals afterwards would prove nothing.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import lxml.html
import pytest
from flask_login.utils import decode_cookie
from sqlalchemy import event, func, select, update

from app.accounts import services, sessions
from app.accounts.devices import describe
from app.accounts.labels import device_name
from app.accounts.models import User, UserSession
from app.accounts.sessions import EndReason
from app.core.models import utcnow
from app.extensions import db, socketio
from tests import factories

NAMESPACES = ("/", "/notifications", "/consultations", "/contests")
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 13; V2203A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36"
)
ANDROID_WECHAT = (
    "Mozilla/5.0 (Linux; Android 12; PGT-AN10 Build/HUAWEIPGT-AN10; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5049 MMWEBSDK/20230405 MicroMessenger/8.0.35.2360"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Mobile/15E148 Safari/604.1"
)
COOKIES = ("session", "remember_token")
# every replay of an old cookie: tried after the login ended (each must be refused), and as the control before
REPLAYS = {"after_end_tried": 0, "after_end_refused": 0, "control_tried": 0, "control_opened": 0}


@pytest.fixture(scope="module", autouse=True)
def _report_replays():
    yield
    print(
        "\nreplays of old cookies: {after_end_tried} tried after the login ended, {after_end_refused} refused; "
        "{control_tried} tried before, as the control, {control_opened} opened".format(**REPLAYS)
    )


# -- helpers ---------------------------------------------------------------------------------------------


def phone(app, user_agent: str = ANDROID_CHROME):
    """A test client standing for one phone: its own cookies and User-Agent."""
    client = app.test_client()
    client.environ_base.update(HTTP_ACCEPT_LANGUAGE="en", HTTP_USER_AGENT=user_agent)
    return client


def log_in(client, user, *, remember: bool = True) -> dict[str, str]:
    """Log in through the form; returns the cookies the browser now holds (to replay later)."""
    data = {"phone": user.phone, "password": factories.PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/account/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return saved(client)


def saved(client) -> dict[str, str]:
    return {name: cookie.value for name in COOKIES if (cookie := client.get_cookie(name)) is not None}


def with_cookies(app, cookies: dict[str, str], user_agent: str = ANDROID_CHROME):
    """A fresh client holding only these cookies (an attacker who copied them, or the same phone later)."""
    client = phone(app, user_agent)
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


def opens_me(client) -> bool:
    """True if /me opens; False if it sends to the login page (anything else fails the test)."""
    response = client.get("/me")
    if response.status_code == 302:
        assert "/account/login" in response.headers["Location"]
        return False
    assert response.status_code == 200, response.status_code
    return True


def socket_opens(app, client, namespace: str) -> bool:
    sc = socketio.test_client(app, namespace=namespace, flask_test_client=client)
    opened = sc.is_connected(namespace)
    if opened:
        sc.disconnect(namespace)
    return opened


def replays(cookies: dict[str, str]) -> list[dict[str, str]]:
    """Each cookie alone, and both together."""
    alone = [{name: value} for name, value in cookies.items()]
    return [*alone, dict(cookies)] if len(cookies) > 1 else alone


def assert_replays_open(app, cookies: dict[str, str]) -> None:
    """The control: while the login holds, each cookie alone opens /me and every namespace's socket."""
    for jar in replays(cookies):
        for namespace in (None, *NAMESPACES):
            REPLAYS["control_tried"] += 1
            client = with_cookies(app, jar)
            opened = opens_me(client) if namespace is None else socket_opens(app, client, namespace)
            assert opened, (sorted(jar), namespace)
            REPLAYS["control_opened"] += 1


def assert_replays_refused(app, cookies: dict[str, str]) -> None:
    """After the login ended: each cookie alone, and both, get the login page and no socket anywhere."""
    for jar in replays(cookies):
        for namespace in (None, *NAMESPACES):
            REPLAYS["after_end_tried"] += 1
            client = with_cookies(app, jar)
            opened = opens_me(client) if namespace is None else socket_opens(app, client, namespace)
            assert not opened, (sorted(jar), namespace)
            REPLAYS["after_end_refused"] += 1


def logins_of(user) -> list[UserSession]:
    db.session.expire_all()
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)))


def login_by_token(token: str) -> UserSession:
    return db.session.scalar(select(UserSession).where(UserSession.token_hash == sessions.hash_token(token)))


def session_token(app, cookies: dict[str, str]) -> str:
    """The `_user_id` the signed session cookie carries."""
    return app.session_interface.get_signing_serializer(app).loads(cookies["session"])["_user_id"]


def live_socket(app, client, namespace: str = "/notifications"):
    sc = socketio.test_client(app, namespace=namespace, flask_test_client=client)
    assert sc.is_connected(namespace)
    return sc


@contextlib.contextmanager
def statements():
    """The SQL statements run meanwhile, on any connection of the app's engine."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def set_login(login_id: int, **values) -> None:
    db.session.execute(update(UserSession).where(UserSession.id == login_id).values(**values))
    db.session.commit()


# -- a login is a record; the cookies carry its token ------------------------------------------------------


def test_logging_in_records_a_login_whose_token_the_cookies_carry_not_the_user_id(app):
    user = factories.user()
    db.session.commit()
    cookies = log_in(phone(app, ANDROID_WECHAT), user)

    [login] = logins_of(user)
    token = session_token(app, cookies)
    assert token != str(user.id) and len(token) >= 40
    assert decode_cookie(cookies["remember_token"]) == token  # the remember cookie: the same token, signed
    assert login.token_hash == sessions.hash_token(token)
    row = db.session.execute(select(UserSession.__table__).where(UserSession.id == login.id)).one()
    assert token not in [str(value) for value in row]  # only the hash is stored
    assert (login.remember, login.device, login.ended_at) == (True, "WeChat · Android", None)
    assert login.ip == "127.0.0.1"
    assert login.expires_at - login.created_at == timedelta(days=30)


def test_two_logins_give_different_tokens_and_remember_cookies(app):
    user = factories.user()
    db.session.commit()
    first, second = log_in(phone(app), user), log_in(phone(app), user)

    assert first["remember_token"] != second["remember_token"]
    assert session_token(app, first) != session_token(app, second)
    assert len(logins_of(user)) == 2


def test_registration_records_a_remembered_login(client):
    assert factories.register(client, phone="13812345678", password="s3cret-pass").status_code == 302
    [login] = db.session.scalars(select(UserSession)).all()
    assert login.remember and login.user.phone == "13812345678"
    assert client.get("/me").status_code == 200


def test_a_refused_login_records_nothing(client):
    user = factories.user()
    db.session.commit()
    response = client.post("/account/login", data={"phone": user.phone, "password": "wrong-password"})
    assert response.status_code == 401
    assert logins_of(user) == []


def test_a_login_not_remembered_sets_no_remember_cookie_and_expires_when_idle(app):
    user = factories.user()
    db.session.commit()
    cookies = log_in(phone(app), user, remember=False)

    assert "remember_token" not in cookies
    [login] = logins_of(user)
    assert not login.remember
    assert login.expires_at - login.last_seen_at == timedelta(minutes=app.config["LOGIN_IDLE_MINUTES"])


def test_the_user_loader_is_one_query_with_the_user(app):
    user = factories.user()
    _login, token = sessions.start(user, remember=True)
    db.session.commit()
    name = user.name
    db.session.expunge_all()  # nothing cached: the user comes with the login

    with statements() as seen:
        loaded = sessions.load_user(token)
        assert loaded.name == name and loaded.login.token_hash == sessions.hash_token(token)

    assert len(seen) == 1, seen
    assert "user_sessions" in seen[0] and "users" in seen[0]


@pytest.mark.parametrize("token", ["", "1", "x" * 101, "not-a-token"])
def test_the_user_loader_refuses_what_is_no_login(app, token):
    factories.user()
    db.session.commit()
    assert sessions.load_user(token) is None


def test_a_cookie_from_before_logins_were_recorded_finds_nobody(app):
    """Cookies made before this change carried the user id: they stop working (the user logs in again)."""
    user = factories.user()
    db.session.commit()
    client = phone(app)
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert not opens_me(client)
    assert not socket_opens(app, client, "/notifications")


# -- the replay test ----------------------------------------------------------------------------------------


def test_replayed_cookies_after_logout_get_the_login_page_and_no_socket(app, world):
    user = world.users["resident"]
    client = phone(app)
    cookies = log_in(client, user)
    assert set(cookies) == {"session", "remember_token"}
    assert_replays_open(app, cookies)
    live = live_socket(app, client)

    assert client.post("/account/logout").status_code == 302

    assert not live.is_connected("/notifications")  # the socket of that login closed at once
    assert_replays_refused(app, cookies)
    [login] = logins_of(user)
    assert (login.ended_reason, login.ended_at is not None) == (EndReason.LOGOUT, True)
    assert not opens_me(client)  # and the phone that logged out is logged out


def test_logout_ends_only_this_phones_login(app, world):
    user = world.users["resident"]
    here, there = phone(app), phone(app, IPHONE_SAFARI)
    log_in(here, user)
    log_in(there, user)
    there_socket = live_socket(app, there)

    assert here.post("/account/logout").status_code == 302

    assert opens_me(there)
    assert there_socket.is_connected("/notifications")
    assert [login.ended_reason for login in logins_of(user)] == [EndReason.LOGOUT, None]


def test_a_login_ended_from_another_phone_fails_at_its_next_request_and_socket(app, world):
    user = world.users["resident"]
    lost, kept = phone(app, ANDROID_WECHAT), phone(app, IPHONE_SAFARI)
    cookies = log_in(lost, user)
    log_in(kept, user)
    sockets = [live_socket(app, lost, namespace) for namespace in NAMESPACES]
    lost_login = login_by_token(session_token(app, cookies))

    response = kept.post(f"/account/sessions/{lost_login.id}/end")

    assert response.status_code == 302 and response.headers["Location"].endswith("/account/settings")
    assert [sc.is_connected(ns) for sc, ns in zip(sockets, NAMESPACES, strict=True)] == [False] * 4
    assert not opens_me(lost)
    assert not socket_opens(app, lost, "/consultations")
    assert_replays_refused(app, cookies)
    assert opens_me(kept)
    db.session.refresh(lost_login)
    assert lost_login.ended_reason == EndReason.ENDED


def test_an_expired_login_is_refused(app, world):
    user = world.users["resident"]
    client = phone(app)
    cookies = log_in(client, user)
    login = login_by_token(session_token(app, cookies))

    set_login(login.id, expires_at=utcnow() - timedelta(seconds=1))

    assert not opens_me(client)
    assert_replays_refused(app, cookies)


def test_a_login_idle_too_long_expires_and_a_remembered_one_does_not(app, world):
    user = world.users["resident"]
    shared, own = phone(app), phone(app)
    shared_cookies = log_in(shared, user, remember=False)
    own_cookies = log_in(own, user, remember=True)
    idle = timedelta(minutes=app.config["LOGIN_IDLE_MINUTES"])
    for cookies in (shared_cookies, own_cookies):  # both last seen (and the first's expiry set) long ago
        login = login_by_token(session_token(app, cookies))
        set_login(login.id, last_seen_at=login.last_seen_at - idle, expires_at=login.expires_at - idle)

    assert not opens_me(shared)
    assert opens_me(own)


# -- last seen ----------------------------------------------------------------------------------------------


def _touches(seen: list[str]) -> list[str]:
    return [s for s in seen if s.lstrip().upper().startswith("UPDATE") and "user_sessions" in s]


def test_a_request_marks_the_login_seen_at_most_every_few_minutes(app, world):
    user = world.users["resident"]
    client = phone(app)
    login = login_by_token(session_token(app, log_in(client, user, remember=False)))

    with statements() as seen:
        assert opens_me(client)
        db.session.rollback()  # the request's transaction ends (a request's session is removed after it)
    assert _touches(seen) == []  # just seen at the login: no write

    long_ago = utcnow() - timedelta(minutes=10)
    set_login(login.id, last_seen_at=long_ago)
    with statements() as seen:
        assert opens_me(client)
        db.session.rollback()
        assert opens_me(client)
        db.session.rollback()
    assert len(_touches(seen)) == 1  # the first marks it; the second finds it fresh

    db.session.refresh(login)
    assert utcnow() - login.last_seen_at < timedelta(seconds=30)
    # not remembered: its expiry moved on from now
    assert login.expires_at - login.last_seen_at == timedelta(minutes=app.config["LOGIN_IDLE_MINUTES"])


def test_a_refused_post_still_marks_the_login_seen(app, world):
    """The mark does not ride on the request's commit: a refusal rolls back, the mark stays."""
    user, other = world.users["resident"], world.users["owner"]
    client = phone(app)
    login = login_by_token(session_token(app, log_in(client, user)))
    not_mine = login_by_token(session_token(app, log_in(phone(app), other)))
    expires = login.expires_at
    long_ago = utcnow() - timedelta(minutes=10)
    set_login(login.id, last_seen_at=long_ago)

    response = client.post(f"/account/sessions/{not_mine.id}/end")  # refused: not theirs (404, rolled back)

    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(UserSession, not_mine.id).ended_at is None
    login = db.session.get(UserSession, login.id)
    assert login.last_seen_at > long_ago + timedelta(minutes=9)
    assert login.expires_at == expires  # remembered: 30 days from the login, however often it is seen


# -- the settings page ---------------------------------------------------------------------------------


def test_settings_list_the_live_logins_with_this_phone_marked_in_chinese(app):
    user = factories.user(locale="zh_CN")
    someone = factories.user()
    db.session.commit()
    here = phone(app, ANDROID_WECHAT)
    here_login = login_by_token(session_token(app, log_in(here, user)))
    there_login = login_by_token(session_token(app, log_in(phone(app, IPHONE_SAFARI), user)))
    ended_login = login_by_token(session_token(app, log_in(phone(app, ANDROID_CHROME), user)))
    log_in(phone(app, ANDROID_CHROME), someone)
    set_login(there_login.id, last_seen_at=datetime(2026, 3, 1, 2, 5, tzinfo=UTC))  # 10:05 in Beijing
    set_login(ended_login.id, ended_at=utcnow(), ended_reason="test")

    body = here.get("/account/settings").get_data(as_text=True)

    assert "已登录的设备" in body
    assert "微信 · Android" in body and "Safari · iPhone" in body
    assert "Chrome · Android" not in body  # the ended login, and the other user's
    marked = lxml.html.fromstring(body).xpath('//section[@id="logins"]//li[.//span[@class="pill pill-verified"]]')
    assert [item.findtext(".//strong") for item in marked] == ["微信 · Android"]  # "this phone": the one asking
    assert "本机" in marked[0].text_content() and "在本机退出" in marked[0].text_content()
    assert body.count("在本机退出") == 1
    assert "10:05" in body
    assert f"/account/sessions/{here_login.id}/end" in body and f"/account/sessions/{there_login.id}/end" in body
    assert f"/account/sessions/{ended_login.id}/end" not in body
    assert "/account/sessions/end-all" in body


def test_ending_another_users_login_is_not_found_and_changes_nothing(app, world):
    mine, theirs = phone(app), phone(app)
    log_in(mine, world.users["resident"])
    their_cookies = log_in(theirs, world.users["owner"])
    their_login = login_by_token(session_token(app, their_cookies))

    assert mine.post(f"/account/sessions/{their_login.id}/end").status_code == 404
    assert mine.post("/account/sessions/999999/end").status_code == 404
    assert mine.post(f"/account/sessions/{2**63}/end").status_code == 404  # beyond any id: no database error

    db.session.refresh(their_login)
    assert their_login.ended_at is None
    assert opens_me(theirs)


def test_ending_a_login_needs_a_login_and_a_post(app, world):
    owner = phone(app)
    login = login_by_token(session_token(app, log_in(owner, world.users["owner"])))
    anonymous = phone(app)

    response = anonymous.post(f"/account/sessions/{login.id}/end")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert anonymous.post("/account/sessions/end-all").status_code == 302
    assert owner.get(f"/account/sessions/{login.id}/end").status_code == 405
    assert owner.get("/account/sessions/end-all").status_code == 405

    db.session.refresh(login)
    assert login.ended_at is None
    assert opens_me(owner)


def test_ending_this_phones_own_login_logs_out(app, world):
    client = phone(app)
    cookies = log_in(client, world.users["resident"])
    login = login_by_token(session_token(app, cookies))

    response = client.post(f"/account/sessions/{login.id}/end")

    assert response.status_code == 302 and response.headers["Location"].endswith("/account/login")
    assert not opens_me(client)
    assert_replays_refused(app, cookies)


def test_ending_an_ended_login_again_is_no_error(app, world):
    user = world.users["resident"]
    here, there = phone(app), phone(app)
    log_in(here, user)
    there_login = login_by_token(session_token(app, log_in(there, user)))
    assert here.post(f"/account/sessions/{there_login.id}/end").status_code == 302
    ended_at = logins_of(user)[1].ended_at

    assert here.post(f"/account/sessions/{there_login.id}/end").status_code == 302  # a second tap

    assert logins_of(user)[1].ended_at == ended_at


def test_sign_out_everywhere_ends_every_login_of_the_user_only(app, world):
    user, neighbour = world.users["resident"], world.users["owner"]
    clients = [phone(app, ua) for ua in (ANDROID_CHROME, ANDROID_WECHAT, IPHONE_SAFARI)]
    all_cookies = [log_in(client, user) for client in clients]
    user_sockets = [live_socket(app, client) for client in clients]
    neighbour_client = phone(app)
    log_in(neighbour_client, neighbour)
    neighbour_socket = live_socket(app, neighbour_client)

    response = clients[0].post("/account/sessions/end-all")

    assert response.status_code == 302 and response.headers["Location"].endswith("/account/login")
    assert [login.ended_reason for login in logins_of(user)] == [EndReason.EVERYWHERE] * 3
    assert not any(sc.is_connected("/notifications") for sc in user_sockets)
    for cookies in all_cookies:
        assert_replays_refused(app, cookies)
    assert neighbour_socket.is_connected("/notifications") and opens_me(neighbour_client)
    assert [login.ended_at for login in logins_of(neighbour)] == [None]


# -- for the password change and reset: end_all with and without a login -------------------------------------


def test_end_all_keeping_the_current_login_ends_the_others(app, world):
    user = world.users["resident"]
    here, there = phone(app), phone(app)
    here_cookies = log_in(here, user)
    there_cookies = log_in(there, user)
    there_socket = live_socket(app, there)

    with app.test_request_context(headers={"Cookie": f"session={here_cookies['session']}"}):
        ended = sessions.end_all(user, reason=EndReason.PASSWORD_CHANGED, keep_current=True)
        db.session.commit()  # as the edge would

    assert ended == 1
    assert opens_me(here)
    assert not there_socket.is_connected("/notifications")
    assert_replays_refused(app, there_cookies)
    assert [login.ended_reason for login in logins_of(user)] == [None, EndReason.PASSWORD_CHANGED]


def test_end_all_without_a_request_ends_every_login(app, world):
    """A password reset: nobody is logged in when it happens."""
    user = world.users["resident"]
    clients = [phone(app), phone(app)]
    all_cookies = [log_in(client, user) for client in clients]
    live = live_socket(app, clients[0])

    ended = sessions.end_all(user, reason=EndReason.PASSWORD_RESET)
    db.session.commit()

    assert ended == 2
    assert not live.is_connected("/notifications")
    for cookies in all_cookies:
        assert_replays_refused(app, cookies)
    assert sessions.end_all(user, reason=EndReason.PASSWORD_RESET) == 0


def test_end_all_refused_by_the_edge_ends_nothing(app, world):
    """end_all only flushes: if the use case around it is refused, the logins stay and no socket closes."""
    from app.core.errors import Conflict
    from app.core.web import perform

    user = world.users["resident"]
    client = phone(app)
    log_in(client, user)
    live = live_socket(app, client)

    def end_then_refuse():
        assert sessions.end_all(user, reason=EndReason.PASSWORD_RESET) == 1
        raise Conflict("refused", "refused after the logins were ended")

    with app.test_request_context(method="POST"):
        assert perform(end_then_refuse).status == 409

    assert live.is_connected("/notifications")
    assert opens_me(client)
    assert [login.ended_at for login in logins_of(user)] == [None]


# -- closing an account ------------------------------------------------------------------------------


def test_deactivating_a_user_from_the_command_line_ends_every_login(app, world):
    user = world.users["resident"]
    clients = [phone(app), phone(app)]
    all_cookies = [log_in(client, user) for client in clients]
    sockets = [live_socket(app, client, "/consultations") for client in clients]

    result = app.test_cli_runner().invoke(args=["yishi", "user", "deactivate", user.phone])

    assert result.exit_code == 0, result.output
    assert "2 login(s) ended" in result.output
    db.session.refresh(user)
    assert not user.active
    assert [login.ended_reason for login in logins_of(user)] == [EndReason.DEACTIVATED] * 2
    assert not any(sc.is_connected("/consultations") for sc in sockets)
    for cookies in all_cookies:
        assert_replays_refused(app, cookies)
    refused = phone(app).post("/account/login", data={"phone": user.phone, "password": factories.PASSWORD})
    assert refused.status_code == 401


def test_activating_a_user_again_lets_them_log_in_but_revives_no_old_login(app, world):
    user = world.users["resident"]
    old_cookies = log_in(phone(app), user)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["yishi", "user", "deactivate", user.phone]).exit_code == 0

    result = runner.invoke(args=["yishi", "user", "activate", user.phone])

    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert user.active
    assert_replays_refused(app, old_cookies)
    assert opens_me_after_login(app, user)


def opens_me_after_login(app, user) -> bool:
    client = phone(app)
    log_in(client, user)
    return opens_me(client)


def test_deactivating_an_unknown_phone_fails_and_changes_nothing(app, world):
    result = app.test_cli_runner().invoke(args=["yishi", "user", "deactivate", "13999999999"])
    assert result.exit_code != 0 and "No account" in result.output
    assert db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(False))) == 0


def test_deactivate_service_ends_logins_and_keeps_an_audit_entry(app, world):
    from app.core.models import AuditEntry

    user, staff = world.users["resident"], world.users["staff"]
    log_in(phone(app), user)

    assert services.deactivate(user, actor=staff) == 1
    db.session.commit()

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.deactivate"))
    assert (entry.actor_id, entry.target_id) == (staff.id, user.id)


def test_a_closed_account_cannot_be_logged_in_by_any_path(app):
    user = factories.user(active=False)
    db.session.commit()
    with app.test_request_context(), pytest.raises(sessions.AccountClosed):
        sessions.log_in(user, remember=True)
    assert logins_of(user) == []


def test_a_new_login_in_the_same_browser_ends_the_one_it_replaces(app):
    user = factories.user()
    db.session.commit()
    with app.test_request_context():
        first = sessions.log_in(user, remember=False)
        second = sessions.log_in(user, remember=False)
        db.session.commit()
    assert first.id != second.id
    assert [login.ended_reason for login in logins_of(user)] == [EndReason.REPLACED, None]


# -- this process's sockets: the sweep ------------------------------------------------------------------


def test_the_sweep_disconnects_sockets_of_logins_ended_elsewhere_and_marks_the_rest_seen(app, world):
    """A process that missed the word (Redis away) finds ended logins among its sockets at its next sweep."""
    user = world.users["resident"]
    ended_client, live_client, idle_client = phone(app), phone(app), phone(app)
    ended_login = login_by_token(session_token(app, log_in(ended_client, user)))
    live_login = login_by_token(session_token(app, log_in(live_client, user)))
    idle_login = login_by_token(session_token(app, log_in(idle_client, user, remember=False)))
    ended_socket = live_socket(app, ended_client, "/consultations")
    live_sockets = [live_socket(app, live_client, "/notifications"), live_socket(app, live_client, "/contests")]
    idle_socket = live_socket(app, idle_client)
    long_ago = utcnow() - timedelta(minutes=10)
    set_login(ended_login.id, ended_at=utcnow(), ended_reason="elsewhere")  # ended, its sockets not told
    set_login(live_login.id, last_seen_at=long_ago)
    set_login(idle_login.id, last_seen_at=long_ago)
    assert ended_socket.is_connected("/consultations")

    assert sessions.sweep_sockets() == (1, 2)

    assert not ended_socket.is_connected("/consultations")
    assert live_sockets[0].is_connected("/notifications") and live_sockets[1].is_connected("/contests")
    assert idle_socket.is_connected("/notifications")
    db.session.expire_all()
    assert db.session.get(UserSession, live_login.id).last_seen_at > long_ago + timedelta(minutes=9)
    idle = db.session.get(UserSession, idle_login.id)
    assert idle.expires_at - idle.last_seen_at == timedelta(minutes=app.config["LOGIN_IDLE_MINUTES"])
    assert sessions.sweep_sockets() == (0, 0)  # nothing more to do


# -- device names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "device"),
    [
        (ANDROID_CHROME, "Chrome · Android"),
        (ANDROID_WECHAT, "WeChat · Android"),
        (IPHONE_SAFARI, "Safari · iPhone"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Mobile/15E148 MicroMessenger/8.0.40(0x18002831) NetType/WIFI Language/zh_CN",
            "WeChat · iPhone",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
            "Safari/537.36 Edg/120.0.0.0",
            "Edge · Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 10; HarmonyOS; NOH-AN00) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Version/4.0 Chrome/99.0.4844.88 HuaweiBrowser/14.0.2.311 Mobile Safari/537.36",
            "Huawei Browser · HarmonyOS",
        ),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) Gecko/20100101 Firefox/120.0", "Firefox · Mac"),
        ("python-requests/2.32.3", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_device_names_from_user_agents(user_agent, device):
    assert describe(user_agent) == device


def test_device_names_are_shown_in_the_readers_language(app):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("zh_CN"):
        assert device_name("WeChat · Android") == "微信 · Android"
        assert device_name("") == "未知设备"
    with app.test_request_context(), force_locale("en"):
        assert device_name("Huawei Browser · HarmonyOS") == "Huawei Browser · HarmonyOS"
        assert device_name(None) == "Unknown device"


def test_a_control_message_from_another_process_disconnects_those_logins_here(app, world):
    """What the Redis control listener does with a message (a logout in another process)."""
    import json

    from app.core import realtime

    user = world.users["resident"]
    ended_client, other_client = phone(app), phone(app)
    ended_login = login_by_token(session_token(app, log_in(ended_client, user)))
    log_in(other_client, user)
    ended_socket = live_socket(app, ended_client, "/contests")
    other_socket = live_socket(app, other_client)

    realtime._on_control_message("not json")  # skipped, logged
    realtime._on_control_message(json.dumps({"action": "disconnect_logins"}))  # no ids: skipped
    own = {"action": "disconnect_logins", "login_ids": [ended_login.id], "origin": realtime._PROCESS_ID}
    realtime._on_control_message(json.dumps(own))  # this process's own message: done already
    assert ended_socket.is_connected("/contests")

    realtime._on_control_message(json.dumps({**own, "origin": "another-process"}))

    assert not ended_socket.is_connected("/contests")
    assert other_socket.is_connected("/notifications")
