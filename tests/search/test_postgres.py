"""Search on PostgreSQL: the same literal matches through the GIN index of characters and character pairs
(yishi_search_grams), which the planner can use for one-, two- and longer terms; operators of tsquery and
LIKE are searched as written; hidden content and other communities are never found."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from app.communities import access
from app.communities.models import Role
from app.consultations.models import Phase, Speech
from app.core.errors import DomainError
from app.ideas.models import Category, Idea
from app.procedure.shipped import ensure_shipped
from app.search import services
from app.search.services import Filters
from tests import factories

pytestmark = pytest.mark.postgres


@pytest.fixture
def place(pg_app, pg_db):
    community = factories.community(slug="pgsearch", name="测试社区")
    other = factories.community(slug="pgother", name="别的社区")
    building = factories.building(community, "1栋")
    people = {}
    for key, where, roles in (
        ("resident", community, (Role.RESIDENT,)),
        ("staff", community, (Role.COMMUNITY_STAFF,)),
        ("neighbour", other, (Role.RESIDENT,)),
    ):
        user = factories.user(name=key)
        household = factories.household(factories.building(where, f"{key}栋")) if Role.RESIDENT in roles else None
        factories.membership(user, where, *roles, household_=household)
        people[key] = user
    pg_db.session.commit()
    return community, other, building, people


def _idea(db, community, user, title, description="说明", **kw):
    idea = Idea(
        community_id=community.id,
        author_id=user.id,
        client_id=uuid.uuid4().hex,
        title=title,
        description=description,
        category=kw.pop("category", Category.OTHER),
        **kw,
    )
    db.session.add(idea)
    db.session.commit()
    return idea


def _titles(community, user, query, **filters):
    viewer = access.viewer(user, community)
    return [str(h.title.striptags()) for h in services.search(viewer, query, Filters(**filters)).hits]


def test_one_two_and_more_characters_mixed_and_ranked(place, pg_db):
    community, other, building, people = place
    resident = people["resident"]
    _idea(pg_db, community, resident, "垃圾分类", "电梯里有垃圾，电梯外有垃圾")
    _idea(pg_db, community, resident, "3号楼电梯经常坏", "上下楼很难")
    _idea(pg_db, community, resident, "加装WiFi", "公共区域", building_id=building.id)
    _idea(pg_db, other, people["neighbour"], "别处的电梯", "说明")
    assert _titles(community, resident, "电梯") == ["3号楼电梯经常坏", "垃圾分类"]
    assert _titles(community, resident, "梯") == ["3号楼电梯经常坏", "垃圾分类"]
    assert _titles(community, resident, "3号楼电梯") == ["3号楼电梯经常坏"]
    assert _titles(community, resident, "wifi") == ["加装WiFi"]
    assert _titles(community, resident, "ＷｉＦｉ", building_id=building.id) == ["加装WiFi"]
    assert _titles(community, resident, "电梯 垃圾") == ["垃圾分类"]
    assert _titles(community, resident, "梯电") == []  # the pairs must be adjacent and in order


@pytest.mark.parametrize(
    "query",
    ["电梯 & 停车", "电梯 | !停车", "电梯:*", "'电梯'", "(电梯)", 'NEAR("电梯")', "电梯\\", "%", "_", "电梯<->停车"],
)
def test_operators_are_literal(place, pg_db, query):
    community, _, _, people = place
    _idea(pg_db, community, people["resident"], "电梯停车", "说明")
    assert _titles(community, people["resident"], query) == []


def test_operator_characters_held_by_a_document_are_found(place, pg_db):
    community, _, _, people = place
    _idea(pg_db, community, people["resident"], "费用100%由物业承担 a&b", "it's 'quoted'")
    _idea(pg_db, community, people["resident"], "费用100元", "说明")
    assert _titles(community, people["resident"], "100%") == ["费用100%由物业承担 a&b"]
    assert _titles(community, people["resident"], "a&b") == ["费用100%由物业承担 a&b"]
    assert _titles(community, people["resident"], "'quoted'") == ["费用100%由物业承担 a&b"]


def test_hidden_speech_and_draft_consultation_are_not_found(place, pg_db):
    community, _, _, people = place
    from app.consultations import services as consultations

    rules = next(r for r in ensure_shipped() if r.key == "simple")
    staff = access.viewer(people["staff"], community)
    c = consultations.create_draft(
        staff,
        title="草稿电梯",
        background="",
        building_id=None,
        parties=["residents"],
        chair_id=people["staff"].id,
        rule_set_id=rules.id,
    )
    pg_db.session.commit()
    assert _titles(community, people["resident"], "电梯") == []
    consultations.set_phase(staff, c, Phase.OPEN)
    speech = Speech(consultation=c, author_id=people["resident"].id, client_id="s1", body="电梯推销广告")
    pg_db.session.add(speech)
    pg_db.session.commit()
    assert _titles(community, people["resident"], "推销") == ["草稿电梯"]
    from app.core.models import utcnow

    speech.hidden_at = utcnow()
    pg_db.session.commit()
    assert _titles(community, people["resident"], "推销") == []


def test_a_query_too_long_is_refused(place):
    community, _, _, people = place
    with pytest.raises(DomainError) as refused:
        services.search(access.viewer(people["resident"], community), "电" * 10_000, Filters())
    assert refused.value.code == "query_too_long"


@pytest.mark.parametrize("query", ["电", "电梯", "3号楼电梯"])
def test_the_planner_can_use_the_gram_index(place, pg_db, query):
    community, _, _, people = place
    _idea(pg_db, community, people["resident"], "3号楼电梯经常坏")
    tsquery = services.text.tsquery(services.parse(query))
    with pg_db.engine.begin() as conn:
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(
            row[0]
            for row in conn.execute(
                text("EXPLAIN SELECT id FROM search_documents WHERE grams @@ CAST(:q AS tsquery)"),
                {"q": tsquery},
            )
        )
    assert "ix_search_documents_grams" in plan, plan


def test_the_page_over_http(place, pg_app, pg_db):
    community, _, _, people = place
    _idea(pg_db, community, people["resident"], "电梯<script>x</script>")
    http = pg_app.test_client()
    http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with http.session_transaction() as session:
        session["_user_id"] = factories.login_token(people["resident"])
    response = http.get("/c/pgsearch/search", query_string={"q": "电梯"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<mark>电梯</mark>&lt;script&gt;" in html
    with http.session_transaction() as session:
        session["_user_id"] = factories.login_token(people["neighbour"])
    assert http.get("/c/pgsearch/search", query_string={"q": "电梯"}).status_code == 404
