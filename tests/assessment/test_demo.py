"""The demo's assessment: last year's scheme, published, with every community scored (one manual criterion with
evidence) and the results published; 翠竹园's residents read their scores and the formula."""

from __future__ import annotations

from sqlalchemy import select

from app.assessment.models import Assessment, Scheme, SchemeStatus
from app.core.clock import local_today
from app.extensions import db
from tests.home import client_of, demo, demo_user


def test_the_demo_publishes_last_years_results(app):
    demo(app)
    scheme = db.session.scalar(select(Scheme))
    assert scheme.year == local_today().year - 1 and scheme.status == SchemeStatus.PUBLISHED
    assert scheme.results_published_at is not None and scheme.points_sum == 100
    assessments = list(db.session.scalars(select(Assessment)))
    assert len(assessments) == 4  # 翠竹园 in 梅山; 南塘, 春江, 花神 in 雨花
    assert all(len(a.scores) == 3 for a in assessments)
    assert len({a.total for a in assessments}) > 1  # the figures tell the communities apart
    page = client_of(app, demo_user("13800000001"), "zh").get("/c/cuizhuyuan/assessment").get_data(as_text=True)
    assert "社区治理台账" in page and "抽查议事记录12份" in page and "人工评分：36 / 40 分。" in page
    assert "分：(" in page or "名 →" in page  # a computed criterion's formula in words and numbers
    district = client_of(app, demo_user("13800000012")).get(f"/assessment/{scheme.id}")
    assert district.status_code == 200 and "花神社区" in district.get_data(as_text=True)
