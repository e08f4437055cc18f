"""The district dashboard at district scale: `python -m bench.district_scale [postgres url] [--scale 1]`.

Builds, in a scratch schema of the given PostgreSQL database (made and dropped by the run), a district of 10 streets
and 100 communities with 40,000 households (one verified resident each), 2,000 consultations with 200,000 speeches,
attendance and a motion each, 500 owners' decisions, 500,000 ballots (motions' and decisions', each with its
participation), 100,000 survey responses to the satisfaction campaigns' surveys, and a year of ideas, needs,
micro-fund projects and moderation, spread over the last eleven months with some communities far busier than
others (a fixed seed). Rows are written by bulk SQL (INSERT ... SELECT over generate_series, one statement per
table), never through the services, into the models' own tables (create_all: every constraint holds).
`--scale 0.01` builds a hundredth (at least four communities in two streets), for CI.

The street's and the district's figures are served from a kept snapshot (app/dashboards/summary.py), as in
production: the run first times the refresh itself (recounting the district's and the busiest street's snapshot,
REFRESHES times each, and `flask yishi tick` recounting every street and the district after a change marked them
stale: how stale the figures can get), EXPLAINs (ANALYZE) the refresh's slowest statements, and checks the figures
served from the snapshot exact against plain COUNTs of what was generated and against a live recount. Then,
through the Flask test client (the whole request: login, access rule, queries, template), it times the district
dashboard as a district officer, a street's, the busiest community's dashboard (counted live), and that community's
home page as a resident sees it (the baseline), once each to warm, then REPEATS rounds, the pages taking turns, and
checks after the rounds that every one was served from the fresh snapshot (none recounted, none stale). A district
page for a period nobody asked for before (counted on view, then kept) is timed once. The section "District
dashboard at district scale" of bench/RESULTS.md is written (replaced) unless --no-write.
"""

from __future__ import annotations

import gzip
import os
import random
import time
import uuid
from pathlib import Path

SCALE = 1.0
REPEATS = 30
REFRESHES = 5
TARGET_P95_MS = 500.0
COMMUNITIES = 100
STREETS = 10
HOUSEHOLDS = 40_000
CONSULTATIONS = 2_000
SPEECHES = 200_000
BALLOTS = 500_000
DECISIONS = 500
RESPONSES = 100_000
DAYS = 330  # the history's span: within the dashboards' default period (the last twelve months)

DISTRICT = "district dashboard"
STREET = "street dashboard"
COMMUNITY = "community dashboard (the busiest)"
HOME = "baseline: the community's home page"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    rank = max(round(p / 100.0 * len(ordered) + 0.5) - 1, 0)
    return ordered[min(rank, len(ordered) - 1)]


def _app(url: str, schema: str):
    from app import create_app
    from config import TestingConfig

    config = type(
        "BenchDistrictConfig",
        (TestingConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
            "WTF_CSRF_ENABLED": False,
        },
    )
    return create_app(config)


def _spread(total: int, weights: list[float], floor: int = 0) -> list[int]:
    """`total` split in proportion to the weights (each at least `floor`), summing to total exactly."""
    whole = sum(weights)
    shares = [max(floor, int(total * w / whole)) for w in weights]
    for n in range(total - sum(shares)):
        shares[n % len(shares)] += 1
    return shares


def _capped(total: int, weights: list[float], caps: list[int]) -> list[int]:
    """`total` split in proportion to the weights, none above its cap: what a capped one cannot take goes to the
    others (the sum is `total` whenever the caps allow it)."""
    shares = [0] * len(weights)
    open_ = [n for n in range(len(weights)) if caps[n] > 0]
    left = total
    while left > 0 and open_:
        whole = sum(weights[n] for n in open_)
        given = 0
        for n in open_:
            add = min(caps[n] - shares[n], max(1, int(left * weights[n] / whole)))
            add = min(add, left - given)
            shares[n] += add
            given += add
            if given >= left:
                break
        left -= given
        open_ = [n for n in open_ if shares[n] < caps[n]]
    return shares


def plan(scale: float, seed: int = 20261206) -> dict:
    """How many of each thing every community and consultation gets: busier communities (lognormal weights)
    have more households, consultations, speeches and ballots."""
    rng = random.Random(seed)
    communities = max(4, round(COMMUNITIES * scale))
    streets = max(2, round(STREETS * scale))
    weights = [rng.lognormvariate(0, 0.6) for _ in range(communities)]
    households = _spread(max(communities * 20, round(HOUSEHOLDS * scale)), weights, floor=20)
    consultations = _spread(max(communities, round(CONSULTATIONS * scale)), weights, floor=1)
    decisions = _spread(max(communities, round(DECISIONS * scale)), [1.0] * communities, floor=1)
    # owners' decisions take 30% of the ballots (each household at most once a decision), motions the rest
    decision_ballots = _capped(
        round(BALLOTS * scale * 0.3), [float(d * h) for d, h in zip(decisions, households, strict=True)],
        [d * h for d, h in zip(decisions, households, strict=True)],
    )  # fmt: skip
    kinds = []  # per consultation: (community index, speeches, attendees, motion ballots)
    for c, n in enumerate(consultations):
        kinds += [c] * n
    busy = [rng.lognormvariate(0, 0.8) for _ in kinds]
    speeches = _spread(round(SPEECHES * scale), busy)
    ballots = _capped(round(BALLOTS * scale) - sum(decision_ballots), busy, [households[c] for c in kinds])
    rows = []
    for k, c in enumerate(kinds):
        voters = households[c]  # one resident per household: the most who can vote
        rows.append((k + 1, c, speeches[k], min(voters, 5 + speeches[k] // 3), ballots[k]))
    return {
        "communities": communities,
        "streets": streets,
        "households": households,
        "decisions": decisions,
        "consultations": rows,
        "decision_ballots": decision_ballots,  # per community, shared by its decisions
        "responses": round(RESPONSES * scale),
    }


def build(conn, shape: dict, seed: int = 20261206) -> dict:
    """Every row, by bulk SQL on one connection; returns the counts written."""

    def ex(sql: str, params: dict | None = None):
        return conn.exec_driver_sql(sql, params if params is not None else {"_": 0})

    ex("SELECT setseed(%(s)s)", {"s": (seed % 1000) / 1000.0})
    ex("CREATE TEMP TABLE b_now AS SELECT now() AS t")
    n_comm = shape["communities"]
    ex("INSERT INTO districts (id, name) VALUES (1, '基准区')")
    ex(
        "INSERT INTO streets (id, district_id, name) SELECT g, 1, '基准街道' || g FROM generate_series(1, %(n)s) g",
        {"n": shape["streets"]},
    )
    # b_comm: each community's street, households and the ids of its households (= its residents' memberships)
    ex(
        "CREATE TEMP TABLE b_comm (cid int PRIMARY KEY, sid int, n_hh int, first_hh int, n_dec int, first_dec int,"
        " n_dball int)"
    )
    first, first_dec, rows = 1, 1, []
    for c in range(n_comm):
        n = shape["households"][c]
        rows.append(
            {
                "cid": c + 1,
                "sid": c % shape["streets"] + 1,
                "n": n,
                "f": first,
                "d": shape["decisions"][c],
                "fd": first_dec,
                "db": shape["decision_ballots"][c],
            }
        )
        first += n
        first_dec += shape["decisions"][c]
    conn.exec_driver_sql("INSERT INTO b_comm VALUES (%(cid)s, %(sid)s, %(n)s, %(f)s, %(d)s, %(fd)s, %(db)s)", rows)
    ex(
        """INSERT INTO communities (id, street_id, name, slug, description, idea_threshold, created_at, updated_at)
        SELECT cid, sid, '基准社区' || cid, 'bench-' || cid, '', 20, now(), now() FROM b_comm"""
    )
    ex(
        """INSERT INTO buildings (id, community_id, name, sort_order)
        SELECT (cid - 1) * 20 + b + 1, cid, (b + 1) || '栋', b FROM b_comm, generate_series(0, 19) b"""
    )
    # households h of community c: building by h, one resident user (id h + 10) with a verified membership
    ex(
        """INSERT INTO households (id, community_id, building_id, unit, room, area_centi_m2, developer_unsold)
        SELECT first_hh + g, cid, (cid - 1) * 20 + g %% 20 + 1, '1', (g / 20 + 101)::text,
               6000 + (g * 37) %% 9000, false
        FROM b_comm, generate_series(0, n_hh - 1) g"""
    )
    ex(
        """INSERT INTO users (id, phone, name, password_hash, locale, large_text, active, created_at, updated_at)
        SELECT 10 + h.id, '1' || lpad((10 + h.id)::text, 10, '0'), '居民' || h.id, '!bench', 'zh_CN', false, true,
               now(), now()
        FROM households h"""
    )
    ex(
        """INSERT INTO users (id, phone, name, password_hash, locale, large_text, active, created_at, updated_at)
        VALUES (1, '13900000001', '区工作人员', '!bench', 'zh_CN', false, true, now(), now()),
               (2, '13900000002', '街道工作人员', '!bench', 'zh_CN', false, true, now(), now())"""
    )
    ex(
        """INSERT INTO office_assignments (user_id, role, street_id, district_id)
        VALUES (1, 'district_staff', NULL, 1), (2, 'street_staff', 1, NULL)"""
    )
    ex(
        """INSERT INTO memberships (id, user_id, community_id, household_id, relation, status, review_note,
                                    reviewed_at, created_at, updated_at)
        SELECT h.id, 10 + h.id, h.community_id, h.id, 'owner', 'verified', '', t.at, t.at, t.at
        FROM households h, LATERAL (SELECT (SELECT t FROM b_now) - random() * interval '500 days' + h.id * interval '0'
                                    AS at) t"""
    )
    ex(
        """INSERT INTO member_roles (membership_id, role)
        SELECT id, 'resident' FROM memberships
        UNION ALL SELECT id, 'owner' FROM memberships"""
    )
    ex(
        """INSERT INTO member_roles (membership_id, role)
        SELECT first_hh, 'community_staff' FROM b_comm"""
    )
    # consultations: the plan's per-consultation counts; opened in the span, most concluded
    ex(
        """CREATE TEMP TABLE b_cons (kid int PRIMARY KEY, cid int, n_speech int, n_att int, n_ballot int,
                                     opened timestamptz, concluded timestamptz)"""
    )
    conn.exec_driver_sql(
        "INSERT INTO b_cons (kid, cid, n_speech, n_att, n_ballot) VALUES (%(k)s, %(c)s, %(s)s, %(a)s, %(b)s)",
        [{"k": k, "c": c + 1, "s": s, "a": a, "b": b} for k, c, s, a, b in shape["consultations"]],
    )
    ex(f"UPDATE b_cons SET opened = (SELECT t FROM b_now) - random() * interval '{DAYS} days'")
    ex(
        """UPDATE b_cons SET concluded = opened + (3 + random() * 40) * interval '1 day'
        WHERE random() < 0.8 AND opened + interval '43 days' < (SELECT t FROM b_now)"""
    )
    rules = conn.exec_driver_sql("SELECT id FROM rule_sets WHERE key = 'nantang'").scalar()
    ex(
        """INSERT INTO consultations (id, community_id, title, background, background_html, parties, chair_id,
            rule_set_id, phase, locked, created_by_id, opened_at, concluded_at, last_activity_at, participant_count,
            meeting_under_way, created_at, updated_at)
        SELECT k.kid, k.cid, '协商议题' || k.kid, '', '', '["residents"]', 10 + c.first_hh, %(rules)s,
               CASE WHEN k.concluded IS NULL THEN 'open' ELSE 'concluded' END, false, 10 + c.first_hh,
               k.opened, k.concluded, coalesce(k.concluded, k.opened), k.n_att, false, k.opened, k.opened
        FROM b_cons k JOIN b_comm c USING (cid)""",
        {"rules": rules},
    )
    # speeches: authors among the community's residents, in the consultation's time; 1% hidden
    ex(
        """INSERT INTO speeches (consultation_id, author_id, client_id, body, stance, by_chair, created_at,
                                 hidden_at, hidden_reason)
        SELECT k.kid, 10 + c.first_hh + (g * 7919 + k.kid) %% c.n_hh, 's' || k.kid || '-' || g,
               '同意在2栋东侧建车棚，费用从公共收益里出。', (ARRAY['for', 'against', 'neutral'])[1 + g %% 3], false,
               s.at, CASE WHEN g %% 100 = 7 THEN s.at + interval '1 hour' END,
               CASE WHEN g %% 100 = 7 THEN '举报过多' END
        FROM b_cons k JOIN b_comm c USING (cid), generate_series(1, k.n_speech) g,
             LATERAL (SELECT k.opened + random() * (coalesce(k.concluded, (SELECT t FROM b_now)) - k.opened)
                      + g * interval '0' AS at) s"""
    )
    ex(
        """INSERT INTO attendances (consultation_id, user_id, first_seen_at)
        SELECT k.kid, 10 + c.first_hh + (k.kid * 13 + g) %% c.n_hh, k.opened + g * interval '7 minutes'
        FROM b_cons k JOIN b_comm c USING (cid), generate_series(0, k.n_att - 1) g"""
    )
    # one motion per consultation: carried or failed when concluded, in debate otherwise; its poll and ballots
    ex(
        """INSERT INTO motions (id, consultation_id, mover_id, client_id, text, state, created_at, vote_opened_at,
            closed_at, votes_for, votes_against, abstentions, eligible)
        SELECT k.kid, k.kid, 10 + c.first_hh, 'm' || k.kid, '同意本方案',
               CASE WHEN k.concluded IS NULL THEN 'voting' WHEN k.kid %% 5 < 3 THEN 'carried' ELSE 'failed' END,
               k.opened, k.opened + interval '1 day', k.concluded, 0, 0, 0, c.n_hh
        FROM b_cons k JOIN b_comm c USING (cid)"""
    )
    ex(
        """INSERT INTO polls (community_id, poll_type, subject_id, secret, state, length, head, opened_head,
                              opened_at, closed_at)
        SELECT k.cid, 'motion', k.kid, false, CASE WHEN k.concluded IS NULL THEN 'open' ELSE 'published' END,
               k.n_ballot, '', '', k.opened + interval '1 day', k.concluded
        FROM b_cons k"""
    )
    ex(
        """INSERT INTO ballots (community_id, poll_type, poll_id, seq, voter_id, voter_key, building_id, choice,
                                weight_area, weight_heads, receipt, created_at)
        SELECT k.cid, 'motion', k.kid, g + 1, 10 + h, 'u:' || (10 + h), (k.cid - 1) * 20 + (h - c.first_hh) %% 20 + 1,
               (ARRAY['for', 'against', 'abstain'])[1 + (g * 7) %% 3], 0, 1, 'm' || k.kid || '-' || g,
               k.opened + interval '1 day' + g * interval '1 minute'
        FROM b_cons k JOIN b_comm c USING (cid), generate_series(0, k.n_ballot - 1) g,
             LATERAL (SELECT c.first_hh + (k.kid * 31 + g) %% c.n_hh AS h) v"""
    )
    # owners' decisions: opened in the span, every household on the roll, a share of them voting
    ex(
        f"""INSERT INTO decisions (id, community_id, matter, title, body, body_html, state, voting_starts_on,
            voting_ends_on, publicity_days, proxy_limit, client_id, roll_area, roll_heads, opened_at, closed_at,
            created_at, updated_at)
        SELECT c.first_dec + g, c.cid, 1 + g %% 9, '业主共同决定' || (c.first_dec + g), '', '', 'announced',
               d.at::date, d.at::date + 14, 7, 5, 'd' || (c.first_dec + g), c.n_hh * 9000, c.n_hh, d.at,
               d.at + interval '14 days', d.at, d.at
        FROM b_comm c, generate_series(0, c.n_dec - 1) g,
             LATERAL (SELECT (SELECT t FROM b_now) - interval '15 days' - random() * interval '{DAYS - 15} days'
                      + g * interval '0' AS at) d"""
    )
    ex(
        """INSERT INTO polls (community_id, poll_type, subject_id, secret, state, length, head, opened_head,
                              opened_at, closed_at)
        SELECT community_id, 'decision', id, false, 'published', 0, '', '', opened_at, closed_at FROM decisions"""
    )
    ex(
        """INSERT INTO ballots (community_id, poll_type, poll_id, seq, voter_id, voter_key, building_id, choice,
                                weight_area, weight_heads, receipt, created_at)
        SELECT d.community_id, 'decision', d.id, g + 1, 10 + h, 'u:' || (10 + h),
               (d.community_id - 1) * 20 + (h - c.first_hh) %% 20 + 1, (ARRAY['for', 'against'])[1 + g %% 2],
               6000, 1, 'd' || d.id || '-' || g, d.opened_at + g * interval '1 minute'
        FROM decisions d JOIN b_comm c ON c.cid = d.community_id,
             generate_series(0, c.n_dball / c.n_dec + (d.id - c.first_dec < c.n_dball %% c.n_dec)::int - 1) g,
             LATERAL (SELECT c.first_hh + (d.id * 17 + g) %% c.n_hh AS h) v"""
    )
    ex(
        """INSERT INTO participations (poll_type, poll_id, voter_key, voter_id, building_id)
        SELECT poll_type, poll_id, voter_key, voter_id, building_id FROM ballots"""
    )
    # ideas: 20 a community on average, some adopted (some of those implemented) or declined
    ex(
        f"""INSERT INTO ideas (id, community_id, author_id, client_id, title, description, category, status,
            endorsement_count, comment_count, created_at, updated_at)
        SELECT row_number() OVER (), k.cid, 10 + c.first_hh + g %% c.n_hh, 'i' || k.kid || '-' || g, '金点子',
               '', 'other', (ARRAY['submitted', 'adopted', 'declined', 'implemented'])[1 + (k.kid + g) %% 4], 0, 0,
               i.at, i.at
        FROM b_cons k JOIN b_comm c USING (cid), generate_series(1, 1 + k.kid %% 2) g,
             LATERAL (SELECT (SELECT t FROM b_now) - random() * interval '{DAYS} days' + g * interval '0' AS at) i"""
    )
    ex(
        """INSERT INTO idea_events (idea_id, from_status, to_status, reason, created_at)
        SELECT id, 'submitted', CASE WHEN status = 'implemented' THEN 'adopted' ELSE status END, '',
               least(created_at + (id %% 30 + 1) * interval '1 day', (SELECT t FROM b_now))
        FROM ideas WHERE status <> 'submitted'
        UNION ALL
        SELECT id, 'adopted', 'implemented', '', least(created_at + interval '40 days', (SELECT t FROM b_now))
        FROM ideas WHERE status = 'implemented'"""
    )
    # needs with households supporting them, screened in or declined
    ex(
        f"""INSERT INTO needs (id, community_id, author_id, client_id, title, description, affected, place,
            households_estimate, status, status_reason, created_at, updated_at)
        SELECT row_number() OVER (), c.cid, 10 + c.first_hh + g, 'n' || c.cid || '-' || g, '需求', '', 'elderly', '',
               10, (ARRAY['submitted', 'listed', 'declined'])[1 + g %% 3], '', n.at, n.at
        FROM b_comm c, generate_series(0, 4) g,
             LATERAL (SELECT (SELECT t FROM b_now) - random() * interval '{DAYS} days' + g * interval '0' AS at) n"""
    )
    ex(
        """INSERT INTO need_supports (need_id, household_id, user_id, created_at)
        SELECT n.id, c.first_hh + g, 10 + c.first_hh + g, n.created_at + g * interval '1 hour'
        FROM needs n JOIN b_comm c ON c.cid = n.community_id, generate_series(0, least(c.n_hh, 15) - 1) g"""
    )
    ex(
        """INSERT INTO need_events (need_id, from_status, to_status, reason, created_at)
        SELECT id, 'screening', status, '', least(created_at + interval '10 days', (SELECT t FROM b_now))
        FROM needs WHERE status <> 'submitted'"""
    )
    # the micro-fund: this year's and last year's budgets, three projects a community, allocated and spent
    ex(
        """INSERT INTO funds (id, community_id, year, total_fen, created_at, updated_at)
        SELECT (cid - 1) * 2 + y + 1, cid, extract(year FROM (SELECT t FROM b_now))::int - 1 + y,
               n_hh * 5000, now(), now()
        FROM b_comm, generate_series(0, 1) y"""
    )
    ex(
        """INSERT INTO micro_projects (id, community_id, fund_id, applicant_id, client_id, title, purpose, status,
            granted_fen, created_at, updated_at)
        SELECT (c.cid - 1) * 3 + g + 1, c.cid, (c.cid - 1) * 2 + 2, 10 + c.first_hh, 'p' || g, '微项目', '',
               'in_progress', c.n_hh * 1000, now(), now()
        FROM b_comm c, generate_series(0, 2) g"""
    )
    ex(
        f"""INSERT INTO ledger_entries (fund_id, project_id, kind, amount_fen, note, actor_id, client_id, created_at)
        SELECT p.fund_id, p.id, e.kind, p.granted_fen / e.part, '', p.applicant_id, 'l' || p.id || e.kind || e.part,
               (SELECT t FROM b_now) - (p.id * 7 %% {DAYS} + e.part) * interval '1 day'
        FROM micro_projects p,
             (VALUES ('allocation', 1), ('expenditure', 2), ('expenditure', 4)) e(kind, part)"""
    )
    # moderation: a report on every 100th speech, the hides above logged, a mute a consultation in three
    ex(
        """INSERT INTO reports (community_id, room, target_type, target_id, reporter_id, reason, created_at)
        SELECT k.cid, 'consultation:' || s.consultation_id, 'speech', s.id, s.author_id, '不文明', s.created_at
        FROM speeches s JOIN b_cons k ON k.kid = s.consultation_id WHERE s.id %% 100 = 3"""
    )
    ex(
        """INSERT INTO moderation_actions (community_id, room, action, target_type, target_id, target_user_id,
                                           reason, created_at)
        SELECT k.cid, 'consultation:' || s.consultation_id, 'auto_hide', 'speech', s.id, s.author_id, '举报过多',
               s.hidden_at
        FROM speeches s JOIN b_cons k ON k.kid = s.consultation_id WHERE s.hidden_at IS NOT NULL"""
    )
    ex(
        """INSERT INTO mutes (community_id, room, user_id, until, reason, created_at)
        SELECT k.cid, 'consultation:' || k.kid, 10 + c.first_hh + k.kid %% c.n_hh,
               k.opened + interval '2 days', '刷屏', k.opened + interval '1 day'
        FROM b_cons k JOIN b_comm c USING (cid) WHERE k.kid %% 3 = 0"""
    )
    # satisfaction: a closed campaign a community judging an organisation, a project and a service project, each
    # by a household survey of two 1–5 scales; the responses spread over the surveys in proportion to households
    ex(
        f"""INSERT INTO satisfaction_campaigns (id, community_id, client_id, title, year, state, closes_at,
            opened_at, closed_at, response_note, created_at, updated_at)
        SELECT cid, cid, 'sc' || cid, '年度满意度测评', 2026, 'closed', s.at, s.at - interval '20 days', s.at, '',
               s.at, s.at
        FROM b_comm,
             LATERAL (SELECT (SELECT t FROM b_now) - random() * interval '{DAYS} days' + cid * interval '0' AS at) s"""
    )
    ex(
        """INSERT INTO surveys (id, community_id, owner_kind, owner_id, title, description, respondent, anonymous,
            state, opens_at, closes_at, closed_at, created_at, updated_at)
        SELECT (id - 1) * 3 + g + 1, community_id, 'satisfaction', id, '满意度', '', 'household', true, 'closed',
               closed_at - interval '20 days', closed_at, closed_at, closed_at, closed_at
        FROM satisfaction_campaigns, generate_series(0, 2) g"""
    )
    ex(
        """INSERT INTO satisfaction_subjects (campaign_id, kind, subject_id, label, survey_id)
        SELECT (id + 2) / 3, (ARRAY['organisation', 'project', 'service_project'])[1 + (id - 1) %% 3], id, '服务', id
        FROM surveys"""
    )
    ex(
        """INSERT INTO survey_questions (id, survey_id, position, kind, text, required, scale_min, scale_max)
        SELECT (s.id - 1) * 2 + q + 1, s.id, q, 'scale', '满意度', true, 1, 5
        FROM surveys s, generate_series(0, 1) q"""
    )
    total_hh = sum(shape["households"])
    ex(
        """CREATE TEMP TABLE b_resp AS
        SELECT s.id AS survey_id, c.first_hh + (s.id * 7 + g) %% c.n_hh AS hh, c.cid
        FROM surveys s JOIN b_comm c ON c.cid = s.community_id,
             generate_series(0, least(c.n_hh, ceil(c.n_hh * %(per)s)::int) - 1) g""",
        {"per": shape["responses"] / (3 * total_hh)},
    )
    ex(
        """INSERT INTO survey_participations (survey_id, respondent_key, user_id, building_id, client_id)
        SELECT r.survey_id, 'h:' || r.hh, 10 + r.hh, h.building_id, 'r' || r.survey_id || '-' || r.hh
        FROM b_resp r JOIN households h ON h.id = r.hh"""
    )
    ex(
        """INSERT INTO survey_responses (id, survey_id, building_id, created_at)
        SELECT row_number() OVER (), r.survey_id, h.building_id, now() FROM b_resp r JOIN households h ON h.id = r.hh"""
    )
    ex(
        """INSERT INTO survey_answers (response_id, question_id, value, text)
        SELECT r.id, (r.survey_id - 1) * 2 + q + 1, 1 + (r.id * 3 + q) %% 5, ''
        FROM survey_responses r, generate_series(0, 1) q"""
    )
    # the sequences past the ids written by hand
    for table in (
        "districts", "streets", "communities", "buildings", "households", "users", "memberships", "consultations",
        "motions", "decisions", "ideas", "needs", "funds", "micro_projects", "satisfaction_campaigns", "surveys",
        "survey_questions", "survey_responses",
    ):  # fmt: skip
        ex(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    return counts(conn)


def counts(conn) -> dict:
    """What the scratch schema holds, and the busiest community (its street, slug and a resident)."""
    found = {}
    for table in (
        "communities", "households", "consultations", "speeches", "attendances", "ballots", "participations",
        "decisions", "ideas", "needs", "ledger_entries", "reports", "survey_participations", "survey_answers",
    ):  # fmt: skip
        found[table] = conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
    found["busiest"] = (
        conn.exec_driver_sql(
            "SELECT c.street_id, c.slug, min(m.user_id) AS user_id, count(*) AS households FROM communities c"
            " JOIN memberships m ON m.community_id = c.id GROUP BY c.id ORDER BY count(*) DESC, c.id LIMIT 1"
        )
        .one()
        ._asdict()
    )
    return found


class Statements:
    """Every SQL statement one request runs, with its time (SQLAlchemy's cursor events)."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.engine, self.on, self.rows = engine, False, []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            took = (time.perf_counter() - conn.info.pop("bench_started")) * 1000.0
            self.rows.append((took, statement, parameters))

    def capture(self, action):
        self.on, self.rows = True, []
        try:
            action()
        finally:
            self.on = False
        return list(self.rows)


def _exact(user_id: int) -> dict[str, bool]:
    """The district dashboard's totals against plain COUNTs of the rows generated, over the same period."""
    from flask import current_app
    from sqlalchemy import text

    from app.accounts.models import User
    from app.dashboards import scopes, summary
    from app.dashboards.period import default_period
    from app.extensions import db

    period = default_period()
    with current_app.test_request_context():
        user = db.session.get(User, user_id)
        scope = scopes.district_scope(user, 1)
        served = summary.figures(scope, period)  # as the page has them: from the snapshot, fresh
        db.session.commit()
        built = {f.key: f for _s, data in served.built for f in data.figures}
        live = {f.key: f for _s, data in scopes.figures(scope, period) for f in data.figures}
        db.session.commit()
        same = all(
            {k: (v.num, v.den) for k, v in built[key].cells.items()}
            == {k: (v.num, v.den) for k, v in live[key].cells.items()}
            for key in live
        )
    since, until = period.since(), period.until()

    def count(sql: str) -> int:
        return db.session.execute(text(sql), {"a": since, "b": until}).scalar()

    def total(key: str) -> int:
        value = built[key].value("all", None)
        return value.num if value is not None else 0

    return {
        "served from a fresh snapshot": served.kept and not served.stale,
        "every cell as a live recount": same and set(built) == set(live),
        "consultations opened": total("consultations_opened")
        == count("SELECT count(*) FROM consultations WHERE opened_at >= :a AND opened_at < :b"),
        "decision votes": total("decision_votes")
        == count(
            "SELECT count(*) FROM participations p JOIN polls o ON o.poll_type = p.poll_type "
            "AND o.subject_id = p.poll_id WHERE p.poll_type = 'decision' AND o.opened_at >= :a AND o.opened_at < :b"
        ),
        "ideas submitted": total("ideas_submitted")
        == count("SELECT count(*) FROM ideas WHERE created_at >= :a AND created_at < :b"),
        "reports": total("reports") == count("SELECT count(*) FROM reports WHERE created_at >= :a AND created_at < :b"),
        "satisfaction responses": total("satisfaction_responses")
        == count(
            "SELECT count(*) FROM survey_participations p JOIN satisfaction_subjects s ON s.survey_id = p.survey_id "
            "JOIN satisfaction_campaigns c ON c.id = s.campaign_id WHERE c.closed_at >= :a AND c.closed_at < :b"
        ),
        "households taking part": built["household_share"].value("all", None).num
        == count(
            "SELECT count(DISTINCT m.household_id) FROM attendances a JOIN consultations k ON k.id = a.consultation_id "
            "JOIN memberships m ON m.user_id = a.user_id AND m.community_id = k.community_id "
            "WHERE a.first_seen_at >= :a AND a.first_seen_at < :b"
        ),
    }


def _kept() -> dict:
    """Each kept snapshot's (level, scope, period) -> (computed_at, stale_since)."""
    from sqlalchemy import select

    from app.dashboards.models import DashboardSnapshot
    from app.extensions import db

    rows = db.session.execute(
        select(
            DashboardSnapshot.level,
            DashboardSnapshot.scope_id,
            DashboardSnapshot.period_key,
            DashboardSnapshot.computed_at,
            DashboardSnapshot.stale_since,
        )
    )
    found = {(level, scope_id, key): (at, stale) for level, scope_id, key, at, stale in rows}
    db.session.commit()
    return found


def _refreshes(statements, street_id: int, times: int) -> tuple[dict, list[dict]]:
    """The refresh itself: the district's and the busiest street's snapshot recounted `times` times each (wall and
    this process's CPU), the snapshot's size, and the district refresh's slowest statements explained."""
    from flask import current_app
    from sqlalchemy import func, select

    from app.communities.models import District, Street
    from app.dashboards import scopes, summary
    from app.dashboards.models import DashboardSnapshot
    from app.dashboards.period import default_period
    from app.extensions import db

    period = default_period()
    found, captured = {}, []
    with current_app.test_request_context():
        for level in ("district", "street"):
            wall, cpu = [], []
            for n in range(times):
                if level == "district":
                    scope = scopes.district_scope_of(db.session.get(District, 1))
                else:
                    scope = scopes.street_scope_of(db.session.get(Street, street_id))
                started, started_cpu = time.perf_counter(), time.process_time()
                if level == "district" and n == times - 1:
                    captured = statements.capture(lambda scope=scope: summary.refresh(scope, period))
                else:
                    summary.refresh(scope, period)
                db.session.commit()
                wall.append((time.perf_counter() - started) * 1000.0)
                cpu.append((time.process_time() - started_cpu) * 1000.0)
            size = db.session.scalar(
                select(func.length(DashboardSnapshot.payload)).where(
                    DashboardSnapshot.level == level, DashboardSnapshot.period_key == summary.period_key(period)
                )
            )
            found[level] = {
                "runs": times,
                "p50": percentile(wall, 50),
                "max": max(wall),
                "cpu_p50": percentile(cpu, 50),
                "payload_bytes": size,
            }
        db.session.commit()
    found["district"]["queries"] = len(captured)
    return found, _explain(db.engine, captured)


def _ticks() -> dict:
    """How stale the figures can get: a change committed through the ORM marks its community's street and
    district stale; `flask yishi tick` (every minute) recounts them. Timed: that tick, and the tick after every
    snapshot was marked stale (the district and all its streets recounted)."""
    from sqlalchemy import func, select, update

    from app.core.models import utcnow
    from app.dashboards import summary
    from app.dashboards.models import DashboardSnapshot
    from app.extensions import db
    from app.ideas.models import Idea

    found = {}
    summary.tick(utcnow())  # every street's default period kept (the district's and one street's are already)
    idea = db.session.scalar(select(Idea).order_by(Idea.id).limit(1))
    idea.title = idea.title + " "  # a change to a row the dashboards count (its figures stay the same)
    started = time.perf_counter()
    db.session.commit()
    marked = db.session.scalar(
        select(func.count()).select_from(DashboardSnapshot).where(DashboardSnapshot.stale_since.is_not(None))
    )
    ticked = summary.tick(utcnow())
    found["after_one_change"] = {
        "marked": marked,
        "recounted": ticked,
        "commit_to_fresh_ms": (time.perf_counter() - started) * 1000.0,
    }
    db.session.execute(update(DashboardSnapshot).values(stale_since=utcnow()))
    db.session.commit()
    started = time.perf_counter()
    ticked = summary.tick(utcnow())
    found["everything_stale"] = {"recounted": ticked, "ms": (time.perf_counter() - started) * 1000.0}
    return found


def _sections_weight(client) -> dict:
    """The district's page shows one section at a time: each one's HTML bytes (and gzipped), served fresh."""
    from app.dashboards.registry import sections

    found = {}
    for section in sections():
        body = client.get(f"/dashboard/district/1?section={section.key}").get_data()
        found[section.key] = [len(body), len(gzip.compress(body, 6))]
    return found


def _new_period(client) -> dict:
    """The district's page for a period nobody asked for before: counted on view (then kept), then served."""
    this_year = time.gmtime().tm_year
    path = f"/dashboard/district/1?start={this_year - 1}-01&end={this_year}-12&by=year"
    found = {}
    for label in ("counted on view", "served from the snapshot"):
        started = time.perf_counter()
        response = client.get(path)
        assert response.status_code == 200
        found[label] = (time.perf_counter() - started) * 1000.0
    return found


def _explain(engine, statements: list[tuple[float, str, object]], top: int = 3) -> list[dict]:
    slowest = sorted(statements, key=lambda row: row[0], reverse=True)[:top]
    found = []
    from app.dashboards.scopes import WORK_MEM

    with engine.connect() as conn:
        conn.exec_driver_sql(f"SET work_mem = '{WORK_MEM}'")  # as the dashboard's transaction has it
        for took, statement, parameters in slowest:
            plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).scalars().all()
            found.append({"ms": took, "sql": " ".join(statement.split())[:300], "plan": plan})
    return found


def run(url: str, scale: float = SCALE, repeats: int = REPEATS, keep: bool = False, reuse: str | None = None) -> dict:
    """Build (or, with `reuse`, take a kept schema as built), time, and drop the schema unless `keep`."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from app.accounts import sessions
    from app.accounts.models import User
    from app.extensions import db
    from app.procedure.shipped import ensure_shipped

    schema = reuse or f"bench_district_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, poolclass=NullPool)
    if not reuse:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    out: dict = {"load_before": os.getloadavg(), "repeats": repeats, "scale": scale, "schema": schema}
    try:
        app = _app(url, schema)
        with app.app_context():
            with db.engine.connect() as conn:
                out["version"] = conn.exec_driver_sql("SHOW server_version").scalar()
            if reuse:
                with db.engine.connect() as conn:
                    out["counts"] = counts(conn)
                out["build_s"] = out["analyze_s"] = None
            else:
                db.create_all()
                ensure_shipped()
                db.session.commit()
                shape = plan(scale)
                started = time.perf_counter()
                with db.engine.begin() as conn:
                    out["counts"] = build(conn, shape)
                out["build_s"] = time.perf_counter() - started
                started = time.perf_counter()
                with db.engine.connect() as conn:
                    conn.exec_driver_sql("ANALYZE")
                    conn.commit()
                out["analyze_s"] = time.perf_counter() - started
            busiest = out["counts"]["busiest"]
            tokens = {}
            for user_id in (1, busiest["user_id"]):  # the district officer; a resident of the busiest community
                _login, tokens[user_id] = sessions.start(db.session.get(User, user_id), remember=True, device="bench")
            db.session.commit()
            statements = Statements(db.engine)
            out["refresh"], out["explain"] = _refreshes(statements, busiest["street_id"], REFRESHES)
            out["tick"] = _ticks()
            out["exact"] = _exact(1)
            kept_before = _kept()
            engine = db.engine
        # the requests run outside this app context: each pushes its own, as under a server (a shared one
        # would keep the first request's user in `g` for every later request)
        clients = []
        for token in tokens.values():
            client = app.test_client()
            client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
            with client.session_transaction() as session:
                session["_user_id"] = token
                session["_fresh"] = True
            clients.append(client)
        officer, resident = clients
        slug = busiest["slug"]
        pages = {
            DISTRICT: (officer, "/dashboard/district/1"),
            STREET: (officer, f"/dashboard/street/{busiest['street_id']}"),
            COMMUNITY: (officer, f"/dashboard/community/{slug}"),
            HOME: (resident, f"/c/{slug}/"),
        }
        out["queries"] = {}
        for label, (client, path) in pages.items():
            captured = statements.capture(lambda client=client, path=path: client.get(path))
            out["queries"][label] = len(captured)
            out.setdefault("sql_ms", {})[label] = sum(row[0] for row in captured)
        out["rows"] = _timed_pairs(pages, repeats)
        with app.app_context():
            kept_after = _kept()
        # every timed round of the street's and the district's page was served from the snapshot counted before
        # the rounds: none recounted (computed_at unchanged), none stale
        out["served_fresh"] = kept_after == kept_before and all(stale is None for _at, stale in kept_after.values())
        out["new_period"] = _new_period(officer)
        out["district_sections"] = _sections_weight(officer)
        engine.dispose()
    finally:
        if not keep:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
    out["load_after"] = os.getloadavg()
    return out


def _timed_pairs(pages: dict[str, tuple], repeats: int) -> dict[str, dict]:
    """Each page once to warm, then `repeats` rounds of one fetch of each (the order rotating each round)."""
    labels = list(pages)
    first = {}
    for label in labels:
        client, path = pages[label]
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.headers.get("Location"))
        first[label] = response.get_data()
    samples: dict[str, list[float]] = {label: [] for label in labels}
    cpu: dict[str, list[float]] = {label: [] for label in labels}
    for n in range(repeats):
        for label in labels[n % len(labels) :] + labels[: n % len(labels)]:
            client, path = pages[label]
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            samples[label].append((time.perf_counter() - started) * 1000.0)
            cpu[label].append((time.process_time() - started_cpu) * 1000.0)  # the app's own work, not the database's
            assert response.status_code == 200
    return {
        label: {
            "bytes": len(first[label]),
            "gzip_bytes": len(gzip.compress(first[label], 6)),
            "p50": percentile(samples[label], 50),
            "p95": percentile(samples[label], 95),
            "max": max(samples[label]),
            "cpu_p50": percentile(cpu[label], 50),
        }
        for label in labels
    }


def render(results: dict) -> str:
    counts, rows = results["counts"], results["rows"]
    district = rows[DISTRICT]
    verdict = "meets" if district["p95"] <= TARGET_P95_MS else "MISSES"
    generated = (
        f"Generated by bulk SQL in {results['build_s']:.1f} s (ANALYZE {results['analyze_s']:.1f} s): "
        if results.get("build_s") is not None
        else "Timed on a schema generated earlier (--reuse): "
    )
    lines = [
        "## District dashboard at district scale",
        "",
        f"Written by `python -m bench.district_scale` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"PostgreSQL {results.get('version', '')}, scale {results['scale']}; load average "
        f"{results['load_before'][0]:.2f} before, {results['load_after'][0]:.2f} after (a shared 2-core machine). "
        f"{generated}"
        f"{counts['communities']:,} communities, {counts['households']:,} households, "
        f"{counts['consultations']:,} consultations, {counts['speeches']:,} speeches, "
        f"{counts['attendances']:,} attendances, {counts['ballots']:,} ballots (as many participations), "
        f"{counts['decisions']:,} owners' decisions, {counts['ideas']:,} ideas, {counts['needs']:,} needs, "
        f"{counts['ledger_entries']:,} ledger entries, {counts['reports']:,} reports, "
        f"{counts['survey_participations']:,} survey responses ({counts['survey_answers']:,} answers). "
        f"Pages through the Flask test client (the whole request), once to warm, then {results['repeats']} rounds, "
        f"the pages taking turns; the street's and the district's served from their kept snapshot "
        f"({'every round from the fresh snapshot' if results['served_fresh'] else 'SOME ROUND WAS NOT'}), the "
        f"community's counted live. The busiest community has {counts['busiest']['households']:,} households. "
        f"Target: the district dashboard ≤ {TARGET_P95_MS:.0f} ms p95: it {verdict} it. "
        f"Figures checked exact against plain COUNTs: "
        f"{'all checks pass' if all(results['exact'].values()) else 'A CHECK FAILED'} "
        f"({', '.join(k for k, ok in results['exact'].items() if ok)}).",
        "",
        "| page | SQL statements | their time, ms (one fetch) | p50 ms | p95 ms | max ms | app CPU p50 ms "
        "| KB (gzip) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, row in rows.items():
        lines.append(
            f"| {label} | {results['queries'][label]} | {results['sql_ms'][label]:.0f} | {row['p50']:.1f} "
            f"| {row['p95']:.1f} | {row['max']:.1f} | {row['cpu_p50']:.1f} "
            f"| {row['bytes'] / 1024:.0f} ({row['gzip_bytes'] / 1024:.0f}) |"
        )
    refresh, ticks, new = results["refresh"], results["tick"], results["new_period"]
    lines += [
        "",
        "The refresh (recounting a snapshot; what a page view cost before the snapshots), "
        f"{refresh['district']['runs']} runs each: the district's p50 {refresh['district']['p50']:.0f} ms "
        f"(max {refresh['district']['max']:.0f}, CPU p50 {refresh['district']['cpu_p50']:.0f} ms, "
        f"{refresh['district']['queries']} statements, snapshot {refresh['district']['payload_bytes'] / 1024:.0f} KB), "
        f"the busiest street's p50 {refresh['street']['p50']:.0f} ms (max {refresh['street']['max']:.0f}). "
        f"How stale: a change committed marked {ticks['after_one_change']['marked']} snapshots stale, and the next "
        f"tick recounted {ticks['after_one_change']['recounted']} in "
        f"{ticks['after_one_change']['commit_to_fresh_ms']:.0f} ms (the figures lag a change by at most the tick's "
        f"minute plus that; a stale snapshot is recounted on view after 15 minutes); with every snapshot stale the "
        f"tick recounted {ticks['everything_stale']['recounted']} in {ticks['everything_stale']['ms']:.0f} ms. "
        f"A period nobody asked for: {new['counted on view']:.0f} ms counted on view, then "
        f"{new['served from the snapshot']:.0f} ms served. The district's page shows one section at a time; each "
        "section's page, KB (gzip): "
        + ", ".join(f"{k} {b / 1024:.0f} ({z / 1024:.0f})" for k, (b, z) in results["district_sections"].items())
        + ".",
    ]
    lines += ["", "The district refresh's slowest statements (EXPLAIN ANALYZE, first lines):", ""]
    for found in results["explain"]:
        lines += [f"- {found['ms']:.1f} ms: `{found['sql'][:160]}…`", "", "  ```"]
        lines += [f"  {line}" for line in found["plan"][:8]]
        lines += ["  ```", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


START, END = "<!-- district_scale:start -->", "<!-- district_scale:end -->"


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

    parser = argparse.ArgumentParser(description="The district dashboard at district scale.")
    parser.add_argument(
        "url",
        nargs="?",
        default=os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL URL (default TEST_DATABASE_URL); a scratch schema in it is made and dropped",
    )
    parser.add_argument("--scale", type=float, default=SCALE, help="1 = 100 communities, 40,000 households ...")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--no-write", action="store_true", help="print the figures, leave RESULTS.md alone")
    parser.add_argument("--keep", action="store_true", help="leave the scratch schema (its name is printed)")
    parser.add_argument("--reuse", metavar="SCHEMA", help="time a kept schema again instead of building one")
    args = parser.parse_args()
    figures = run(args.url, scale=args.scale, repeats=args.repeats, keep=args.keep, reuse=args.reuse)
    print(json.dumps(figures, indent=1, default=str))
    if not all(figures["exact"].values()):
        raise SystemExit("the dashboard's figures are not exact")
    if not args.no_write:
        write_section(Path(__file__).resolve().parent / "RESULTS.md", figures)
