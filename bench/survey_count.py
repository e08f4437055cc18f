"""The survey count on 10,000 responses: `python -m bench.survey_count [postgres url]`.

Builds, in a scratch schema of the given PostgreSQL database, one community of 10,000 households (one verified
resident each) and a satisfaction survey of the engine (anonymous, one answer per household: two 1–5 scales and
a comment) answered by every household, as bulk inserts. Then, in the same run, times the engine's results query
(`surveys.queries.results`: per option, per scale value, per building, exact Fractions, the eligible count) and
its owners' summary (`queries.summary`) beside the baseline, a plain COUNT of the same answer rows. Each is
run once to warm and REPEATS times. The count is checked exact: responses, the per-value counts and the means
equal what was inserted (kept in Python while building). The section "Survey count" of bench/RESULTS.md is
written (replaced) from the figures unless --no-write.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from fractions import Fraction
from pathlib import Path

RESPONSES = 10_000
BUILDINGS = 20
REPEATS = 20


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    rank = max(round(p / 100.0 * len(ordered) + 0.5) - 1, 0)
    return ordered[min(rank, len(ordered) - 1)]


def _app(url: str, schema: str):
    from app import create_app
    from config import TestingConfig

    config = type(
        "BenchSurveyConfig",
        (TestingConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
        },
    )
    return create_app(config)


def build(responses: int) -> dict:
    """The community, its households and residents, the survey and every household's answers."""
    from sqlalchemy import insert, select

    from app.accounts.models import User
    from app.communities.models import (
        Building,
        Community,
        District,
        Household,
        MemberRole,
        Membership,
        MembershipStatus,
        Role,
        Street,
    )
    from app.extensions import db
    from app.surveys import services
    from app.surveys.models import SurveyAnswer, SurveyParticipation, SurveyResponse

    rng = random.Random(20261206)
    district = District(name="基准区")
    street = Street(district=district, name="基准街道")
    community = Community(street=street, name="基准社区", slug="bench-survey")
    db.session.add_all([district, street, community])
    db.session.flush()
    buildings = [Building(community_id=community.id, name=f"{n + 1}栋", sort_order=n) for n in range(BUILDINGS)]
    db.session.add_all(buildings)
    db.session.flush()
    db.session.execute(
        insert(Household),
        [{"community_id": community.id, "building_id": buildings[n % BUILDINGS].id, "unit": "1", "room": str(n),
          "area_centi_m2": 9000, "developer_unsold": False} for n in range(responses)],
    )  # fmt: skip
    households = list(db.session.execute(select(Household.id, Household.building_id).order_by(Household.id)))
    db.session.execute(
        insert(User),
        [{"phone": f"1{n:010d}", "name": f"居民{n}", "password_hash": "!bench", "locale": "zh_CN"}
         for n in range(responses)],
    )  # fmt: skip
    user_ids = list(db.session.scalars(select(User.id).order_by(User.id)))
    db.session.execute(
        insert(Membership),
        [{"user_id": u, "community_id": community.id, "household_id": h.id, "status": MembershipStatus.VERIFIED,
          "review_note": ""} for u, h in zip(user_ids, households, strict=True)],
    )  # fmt: skip
    membership_ids = list(db.session.scalars(select(Membership.id).order_by(Membership.id)))
    db.session.execute(insert(MemberRole), [{"membership_id": m, "role": Role.RESIDENT} for m in membership_ids])
    survey = services.create_survey(
        community,
        title="基准满意度测评",
        questions=[
            {"kind": "scale", "text": "总体满意度", "min": 1, "max": 5},
            {"kind": "scale", "text": "回应及时度", "min": 1, "max": 5},
            {"kind": "text", "text": "意见", "required": False},
        ],
        respondent="household",
        anonymous=True,
        owner_kind=None,
        owner_id=None,
        closes_at=None,
        created_by=None,
    )
    services.open_survey(survey)
    overall, responsive, comment = survey.questions
    db.session.execute(
        insert(SurveyParticipation),
        [{"survey_id": survey.id, "respondent_key": f"h:{h.id}", "user_id": u, "building_id": h.building_id,
          "client_id": uuid.uuid4().hex} for u, h in zip(user_ids, households, strict=True)],
    )  # fmt: skip
    db.session.execute(
        insert(SurveyResponse), [{"survey_id": survey.id, "building_id": h.building_id} for h in households]
    )
    response_ids = list(db.session.scalars(select(SurveyResponse.id).order_by(SurveyResponse.id)))
    expected = {overall.id: [0] * 6, responsive.id: [0] * 6}
    rows, texts = [], 0
    for response_id in response_ids:
        for question in (overall, responsive):
            value = rng.choices([5, 4, 3, 2, 1], weights=[45, 30, 15, 7, 3])[0]
            expected[question.id][value] += 1
            rows.append({"response_id": response_id, "question_id": question.id, "value": value, "text": ""})
        if rng.random() < 0.15:
            texts += 1
            rows.append({"response_id": response_id, "question_id": comment.id, "text": "希望周末也有人值班。"})
    db.session.execute(insert(SurveyAnswer), rows)
    services.close_survey(survey)
    db.session.commit()
    return {"survey_id": survey.id, "expected": expected, "answers": len(rows), "texts": texts}


def _timed(action, repeats: int) -> tuple[object, dict]:
    result = action()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000.0)
    return result, {"p50": percentile(samples, 50), "p95": percentile(samples, 95), "max": max(samples)}


def run(url: str, responses: int = RESPONSES, repeats: int = REPEATS) -> dict:
    from sqlalchemy import create_engine, func, select, text
    from sqlalchemy.pool import NullPool

    from app.extensions import db
    from app.surveys import queries
    from app.surveys.models import Survey, SurveyAnswer, SurveyResponse

    schema = f"bench_survey_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    out: dict = {"load_before": os.getloadavg(), "repeats": repeats, "responses": responses}
    try:
        app = _app(url, schema)
        with app.app_context():
            db.create_all()
            out["version"] = db.session.execute(text("SHOW server_version")).scalar()
            started = time.perf_counter()
            built = build(responses)
            out["build_s"] = time.perf_counter() - started
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
            survey = db.session.get(Survey, built["survey_id"])
            baseline = (
                select(func.count())
                .select_from(SurveyAnswer)
                .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
                .where(SurveyResponse.survey_id == survey.id)
            )
            counted, out["baseline"] = _timed(lambda: db.session.scalar(baseline), repeats)
            found, out["results"] = _timed(lambda: queries.results(survey), repeats)
            summary, out["summary"] = _timed(lambda: queries.summary(survey), repeats)
            overall, responsive, _comment = survey.questions
            exact = {
                "responses": found.responses == responses == summary.responses,
                "answers": counted == built["answers"],
                "values": all(
                    dict(found.total.values[q.id]) == {v: n for v, n in enumerate(built["expected"][q.id]) if n}
                    for q in (overall, responsive)
                ),
                "means": all(
                    found.total.mean(q)
                    == Fraction(sum(v * n for v, n in enumerate(built["expected"][q.id])), responses)
                    for q in (overall, responsive)
                ),
                "texts": len(found.texts[_comment.id]) == min(built["texts"], queries.TEXTS_SHOWN),
                "eligible": found.eligible == responses,
                "score": summary.score == found.score,
            }
            out["exact"] = exact
            out["answers"] = counted
            out["score"] = str(found.score)
            out["means"] = [str(found.total.mean(q)) for q in (overall, responsive)]
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
    out["load_after"] = os.getloadavg()
    return out


def render(results: dict) -> str:
    lines = [
        f"## Survey count: {results['responses']:,} responses",
        "",
        f"Written by `python -m bench.survey_count` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"PostgreSQL {results.get('version', '')}; load average {results['load_before'][0]:.2f} before, "
        f"{results['load_after'][0]:.2f} after (a shared 2-core machine). One anonymous household survey (two 1–5 "
        f"scales and a comment) answered by {results['responses']:,} households in 20 buildings: "
        f"{results['answers']:,} answer rows. Each query run once to warm, then {results['repeats']} times. "
        f"Exact: {', '.join(k for k, ok in results['exact'].items() if ok)} "
        f"({'all checks pass' if all(results['exact'].values()) else 'A CHECK FAILED'}); "
        f"means {', '.join(results['means'])}, "
        f"score {results['score']}.",
        "",
        "| query | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|",
    ]
    for label, key in (
        ("baseline: COUNT of the answer rows", "baseline"),
        ("results (per option, value, building; eligible)", "results"),
        ("summary (owners: responses, eligible, score)", "summary"),
    ):
        row = results[key]
        lines.append(f"| {label} | {row['p50']:.1f} | {row['p95']:.1f} | {row['max']:.1f} |")
    return "\n".join(lines) + "\n"


START, END = "<!-- survey_count:start -->", "<!-- survey_count:end -->"


def write_section(path: Path, results: dict) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    section = f"{START}\n{render(results)}{END}\n"
    if START in text and END in text:
        before, _, rest = text.partition(START)
        _, _, after = rest.partition(END)
        text = before + section + after.lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(description="The survey count on 10,000 responses.")
    parser.add_argument(
        "url",
        nargs="?",
        default=os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test_surveys"),
        help="PostgreSQL URL (default TEST_DATABASE_URL); a scratch schema in it is made and dropped",
    )
    parser.add_argument("--responses", type=int, default=RESPONSES)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--no-write", action="store_true", help="print the figures, leave RESULTS.md alone")
    args = parser.parse_args()
    figures = run(args.url, responses=args.responses, repeats=args.repeats)
    print(json.dumps(figures, indent=1, default=str))
    if not all(figures["exact"].values()):
        raise SystemExit("the count is not exact")
    if not args.no_write:
        write_section(Path(__file__).resolve().parent / "RESULTS.md", figures)
