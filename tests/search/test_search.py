"""The search page on SQLite: Chinese terms of one, two and more characters, mixed with letters and digits;
ranking, highlighting (escaped), filters, pages; the index in step with edits, hides, deletions and status
changes; what each role may find (and the 404s of those who may not see the community); bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner

from app.consultations.models import Phase
from app.core.models import utcnow
from app.decisions.models import DecisionState
from app.extensions import db
from app.ideas.models import Category, IdeaStatus
from app.microprojects.models import ProjectStatus
from app.moderation import services as moderation
from app.search.models import SearchDocument
from tests.search import comment, consultation, decision, idea, logged_in, page, project, search, speech, titles


@pytest.fixture
def resident(app, world):
    return logged_in(app, world.users["resident"])


def test_two_characters_find_what_contains_them(world, resident):
    idea(world, "3号楼电梯经常坏", "上下楼很难")
    idea(world, "小区停车位不够", "晚上车没处停")
    response = search(resident, world, "电梯")
    assert response.status_code == 200
    assert titles(response) == ["3号楼电梯经常坏"]
    assert titles(search(resident, world, "停车")) == ["小区停车位不够"]
    assert titles(search(resident, world, "停")) == ["小区停车位不够"]  # one character: found too


def test_mixed_chinese_letters_digits_any_case_and_width(world, resident):
    idea(world, "3号楼加装WiFi", "公共区域上网")
    idea(world, "13号楼外墙", "渗水")
    assert titles(search(resident, world, "3号楼")) == ["13号楼外墙", "3号楼加装WiFi"]  # a tie: newer first
    assert titles(search(resident, world, "wifi")) == ["3号楼加装WiFi"]
    assert titles(search(resident, world, "ＷｉＦｉ")) == ["3号楼加装WiFi"]  # full-width letters
    assert titles(search(resident, world, "３号楼 wifi")) == ["3号楼加装WiFi"]  # every word must be there


def test_title_above_body_more_matches_higher_newer_on_a_tie(world, resident):
    old = idea(world, "楼道灯", "电梯口的灯坏了")
    old.created_at = utcnow() - timedelta(days=3)
    db.session.commit()
    idea(world, "楼道灯不亮", "电梯旁边也暗")  # newer, same single match in the body
    idea(world, "垃圾分类", "电梯里有垃圾，电梯外有垃圾，电梯门口也有")  # three matches in the body
    idea(world, "电梯维修", "说明")  # in the title
    assert titles(search(resident, world, "电梯")) == ["电梯维修", "垃圾分类", "楼道灯不亮", "楼道灯"]


def test_matches_are_marked_in_escaped_html(world, resident, app):
    c = consultation(world, "电梯加装协商")
    speech(world, c, "我支持加装电梯<script>alert('x')</script>，越快越好")
    html = search(resident, world, "电梯").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html
    assert "<mark>电梯</mark>加装协商" in html
    assert "加装<mark>电梯</mark>&lt;script&gt;" in html
    # a query holding markup is searched literally and shown escaped
    speech(world, c, "有人写了<b>粗体</b>")
    html = search(resident, world, "<b>").get_data(as_text=True)
    assert "<mark>&lt;b&gt;</mark>" in html and "<b>粗体" not in html


def test_the_snippet_is_a_line_around_the_match(world, resident):
    idea(world, "意见", "开头" * 60 + "电梯" + "结尾" * 60)
    doc = page(search(resident, world, "电梯"))
    snippet = "".join(doc.xpath("//p[@class='search-snippet']")[0].itertext())
    assert snippet.startswith("…") and snippet.endswith("…") and "电梯" in snippet
    assert len(snippet) < 130


def test_every_kind_is_found_with_its_page(world, resident):
    i = idea(world, "电梯金点子")
    c = consultation(world, "电梯协商", "电梯背景")
    speech(world, c, "电梯发言")
    p = project(world, "电梯微项目")
    d = decision(world, "电梯业主决定")
    doc = page(search(resident, world, "电梯"))
    links = set(doc.xpath("//li[contains(@class,'search-hit')]//h2/a/@href"))
    assert links == {
        f"/ideas/{i.id}",
        f"/consultations/{c.id}",
        f"/projects/{p.id}",
        f"/decisions/{d.id}",
    }  # the speech links to its consultation's room
    assert "5 results" in doc.text_content()


def test_an_edit_a_hide_a_status_change_and_a_deletion_follow_at_once(world, resident):
    i = idea(world, "电梯维修", "说明")
    i.title = "楼顶漏水"
    db.session.commit()
    assert titles(search(resident, world, "电梯")) == []
    assert titles(search(resident, world, "漏水")) == ["楼顶漏水"]
    moderation.hide(world.users["staff"].id, i, community_id=world.community.id, room=None, reason="广告")
    db.session.commit()
    assert titles(search(resident, world, "漏水")) == []
    moderation.restore(world.users["staff"].id, i, community_id=world.community.id, room=None)
    i.status = IdeaStatus.ADOPTED
    db.session.commit()
    assert titles(search(resident, world, "漏水", status="adopted")) == ["楼顶漏水"]
    assert titles(search(resident, world, "漏水", status="submitted")) == []
    db.session.delete(i)
    db.session.commit()
    assert titles(search(resident, world, "漏水")) == []
    assert db.session.query(SearchDocument).filter_by(kind="idea").count() == 0


def test_a_hidden_speech_is_not_found(world, resident):
    c = consultation(world, "协商")
    s = speech(world, c, "这里有广告电梯推销")
    assert titles(search(resident, world, "推销")) == ["协商"]
    moderation.hide(world.users["staff"].id, s, community_id=world.community.id, room=c.room, reason="广告")
    db.session.commit()
    assert titles(search(resident, world, "推销")) == []


def test_comments_are_found_under_their_idea_until_hidden(world, resident):
    i = idea(world, "楼道灯", "说明")
    c = comment(world, i, "同意，顺便把电梯灯也修一下")
    response = search(resident, world, "电梯", kind="idea")
    assert titles(response) == ["楼道灯"]  # a comment is shown as its idea
    assert page(response).xpath("//li[contains(@class,'search-hit')]//h2/a/@href") == [f"/ideas/{i.id}"]
    moderation.hide(world.users["staff"].id, c, community_id=world.community.id, room=None, reason="广告")
    db.session.commit()
    assert titles(search(resident, world, "电梯")) == []
    moderation.restore(world.users["staff"].id, c, community_id=world.community.id, room=None)
    db.session.commit()
    assert titles(search(resident, world, "电梯")) == ["楼道灯"]
    moderation.hide(world.users["staff"].id, i, community_id=world.community.id, room=None, reason="重复")
    db.session.commit()
    assert titles(search(resident, world, "电梯")) == []  # the idea hidden: its comments too
    assert titles(search(resident, world, "楼道")) == []


def test_only_a_change_to_what_is_indexed_writes_the_document_again(world, resident, monkeypatch):
    from app.search import index

    c = consultation(world, "电梯协商")
    written = []
    real_row = index.row
    monkeypatch.setattr(index, "row", lambda provider, obj: written.append(provider.kind) or real_row(provider, obj))
    c.locked = True  # the room's state: not in the document
    c.last_activity_at = utcnow()
    db.session.commit()
    assert written == []
    c.title = "停车协商"
    db.session.commit()
    assert written == ["consultation"]
    assert titles(search(resident, world, "停车")) == ["停车协商"]


def test_a_rollback_takes_the_index_back_too(world, resident):
    i = idea(world, "电梯维修")
    i.title = "楼顶漏水"
    db.session.flush()
    db.session.rollback()
    assert titles(search(resident, world, "电梯")) == ["电梯维修"]


def test_drafts_are_found_by_nobody_until_they_are_published(world, app):
    c = consultation(world, "草稿协商电梯", "草稿背景", phase=Phase.DRAFT)
    speech(world, c, "草稿里的发言")
    p = project(world, "草稿项目电梯", status=ProjectStatus.DRAFT)
    d = decision(world, "草稿决定电梯", state=DecisionState.DRAFT)
    for key in ("resident", "staff", "street_staff", "unverified"):
        assert titles(search(logged_in(app, world.users[key]), world, "草稿")) == [], key
    from app.consultations import services as consultation_services
    from tests.search import viewer

    consultation_services.set_phase(viewer(world, "staff"), c, Phase.OPEN)
    p.status = ProjectStatus.SUBMITTED
    d.state = DecisionState.VOTING
    db.session.commit()
    found = titles(search(logged_in(app, world.users["resident"]), world, "草稿"))
    assert sorted(found) == sorted(["草稿协商电梯", "草稿协商电梯", "草稿项目电梯", "草稿决定电梯"])  # the speech too


@pytest.mark.parametrize("key", ["resident", "owner", "leader_b", "staff", "property_manager", "expert", "unverified"])
def test_members_of_every_role_find_their_community_only(world, app, key):
    idea(world, "电梯翠竹园")
    idea(world, "电梯南塘", key="other_resident", community=world.other)
    assert titles(search(logged_in(app, world.users[key]), world, "电梯")) == ["电梯翠竹园"]


@pytest.mark.parametrize("key", ["street_staff", "district_staff"])
def test_overseers_search_the_communities_they_oversee(world, app, key):
    idea(world, "电梯翠竹园")
    http = logged_in(app, world.users[key])
    assert titles(search(http, world, "电梯")) == ["电梯翠竹园"]


@pytest.mark.parametrize("key", ["outsider", "other_resident", "other_staff"])
def test_who_may_not_see_the_community_gets_404(world, app, key):
    idea(world, "电梯翠竹园")
    response = search(logged_in(app, world.users[key]), world, "电梯")
    assert response.status_code == 404
    assert "电梯翠竹园" not in response.get_data(as_text=True)


def test_a_visitor_is_sent_to_log_in(world, app):
    response = search(logged_in(app, None), world, "电梯")
    assert response.status_code in (302, 401)


def test_filters_kind_status_dates_category_building(world, resident):
    old = idea(world, "电梯一", category=Category.SAFETY, building_id=world.building_a.id)
    old.created_at = utcnow() - timedelta(days=40)
    idea(world, "电梯二", category=Category.PARKING, building_id=world.building_b.id)
    project(world, "电梯三")
    assert titles(search(resident, world, "电梯", kind="project")) == ["电梯三"]
    assert titles(search(resident, world, "电梯", kind="idea")) == ["电梯二", "电梯一"]
    assert titles(search(resident, world, "电梯", category="safety")) == ["电梯一"]
    assert titles(search(resident, world, "电梯", building=str(world.building_b.id))) == ["电梯二"]
    today = utcnow().date()
    since = (today - timedelta(days=10)).isoformat()
    assert titles(search(resident, world, "电梯", kind="idea", since=since)) == ["电梯二"]
    until = (today - timedelta(days=30)).isoformat()
    assert titles(search(resident, world, "电梯", until=until)) == ["电梯一"]
    assert titles(search(resident, world, "电梯", kind="no-such-kind")) == ["电梯三", "电梯二", "电梯一"]


def test_pages_of_twenty(world, resident):
    for n in range(25):
        idea(world, f"电梯意见{n:02d}")
    first = search(resident, world, "电梯")
    assert len(titles(first)) == 20 and "25 results" in first.get_data(as_text=True)
    assert "Page 1 of 2" in first.get_data(as_text=True)
    second = search(resident, world, "电梯", page="2")
    assert len(titles(second)) == 5
    assert not set(titles(first)) & set(titles(second))
    assert len(titles(search(resident, world, "电梯", page="9999"))) == 0  # past the end: nothing, no error


def test_when_more_match_than_are_ranked_the_newest_are_ranked_and_the_page_says_so(world, resident, monkeypatch):
    from app.search import services

    monkeypatch.setattr(services, "RANKED", 10)
    old = idea(world, "电梯很旧的标题")  # a title match, but older than the ten newest matches
    old.created_at = utcnow() - timedelta(days=30)
    db.session.commit()
    for n in range(12):
        idea(world, f"意见{n:02d}", "电梯" * (n % 3 + 1))
    response = search(resident, world, "电梯")
    html = response.get_data(as_text=True)
    assert "More than 10 results: the newest 10 are shown" in html
    found = titles(response)
    assert len(found) == 10 and "电梯很旧的标题" not in found
    assert found[:5] == ["意见11", "意见08", "意见05", "意见02", "意见10"]  # three matches, newest first; then two
    assert "电梯很旧的标题" in titles(
        search(resident, world, "电梯", until=(utcnow() - timedelta(days=20)).date().isoformat())
    )


@pytest.mark.parametrize(
    "query",
    [
        "NEAR(电梯 停车)",
        '"电梯',
        "电梯*",
        "-电梯",
        "电梯 AND 停车",
        "(电梯)",
        "电梯 & 停车 | !维修",
        "电梯:*",
        "%",
        "_",
        "\\",
        "'; DROP TABLE ideas; --",
        "'电梯'",
    ],
)
def test_operators_are_searched_as_written(world, resident, query):
    idea(world, "电梯维修", "说明")
    response = search(resident, world, query)
    assert response.status_code == 200
    assert titles(response) == []  # nothing holds these characters as written


def test_operator_characters_find_what_holds_them_literally(world, resident):
    idea(world, "费用100%由物业承担", "说明")
    idea(world, "费用100元", "说明")
    assert titles(search(resident, world, "100%")) == ["费用100%由物业承担"]


def test_a_long_query_is_refused_with_a_message_and_nothing_is_searched(world, app):
    idea(world, "电梯维修")
    http = logged_in(app, world.users["resident"])
    response = search(http, world, "电梯" * 5000)
    assert response.status_code == 400
    assert "Search for at most 100 characters." in response.get_data(as_text=True)
    world.users["resident"].locale = "zh_CN"
    db.session.commit()
    response = search(logged_in(app, world.users["resident"], "zh-CN"), world, "电" * 10_000)
    assert response.status_code == 400
    assert "最多" in response.get_data(as_text=True)
    too_many = search(http, world, "一 二 三 四 五 六")
    assert too_many.status_code == 400 and "最多" in too_many.get_data(as_text=True)


@pytest.mark.parametrize("params", [{"q": "电梯\x00"}, {"q": "电\x1b梯"}, {"since": "yesterday"}, {"page": "x"}])
def test_control_characters_and_bad_fields_are_refused_plainly(world, resident, params):
    idea(world, "电梯维修")
    response = resident.get(f"/c/{world.community.slug}/search", query_string={"q": "电梯", **params})
    assert response.status_code == 400
    assert titles(response) == []


def test_the_first_day_after_the_last_is_refused(world, resident):
    response = search(resident, world, "电梯", since="2026-12-05", until="2026-12-01")
    assert response.status_code == 400
    assert "The first day is after the last day." in response.get_data(as_text=True)


def test_an_empty_query_shows_the_box(world, resident):
    response = search(resident, world, "   ")
    assert response.status_code == 200 and titles(response) == []
    assert page(response).xpath("//input[@name='q']")


def test_the_header_holds_a_search_box_on_community_pages(world, resident):
    doc = page(resident.get(f"/c/{world.community.slug}/ideas"))
    assert doc.xpath(f"//header//form[@action='/c/{world.community.slug}/search']//input[@name='q']")


def test_reindex_rebuilds_what_the_flushes_wrote(world, app):
    idea(world, "电梯维修")
    c = consultation(world, "电梯协商")
    speech(world, c, "电梯发言")
    before = sorted((d.kind, d.object_id, d.title, d.body) for d in db.session.query(SearchDocument))
    db.session.query(SearchDocument).delete()
    db.session.commit()
    result = CliRunner().invoke(app.cli, ["yishi", "search-reindex"], catch_exceptions=False)
    assert "3 documents" in result.output
    after = sorted((d.kind, d.object_id, d.title, d.body) for d in db.session.query(SearchDocument))
    assert after == before
    result = CliRunner().invoke(app.cli, ["yishi", "search-reindex", "--community", "nope"])
    assert result.exit_code != 0 and "No community nope" in result.output


def test_a_speech_made_in_the_room_is_found_and_a_retry_is_indexed_once(world, resident):
    """The room stores a speech with INSERT … ON CONFLICT DO NOTHING RETURNING (a retried send is one speech),
    which no flush sees as new: the index writes its document from the returned row."""
    from app.consultations import services as consultation_services
    from tests.search import viewer

    c = consultation(world, "车棚协商")
    chair = viewer(world, "leader_a")
    for _ in range(2):  # the phone sends it again
        consultation_services.speak(chair, c, client_id="retry-1", body="充电桩装在北门旁边的空地")
        db.session.commit()
    assert titles(search(resident, world, "充电桩")) == ["车棚协商"]
    assert db.session.query(SearchDocument).filter_by(kind="speech").count() == 1
