"""The rule sets that ship with Yishi, as data: 南塘议事规则 (formal), 简易规则 (open) and 线上协商规则 (slow)."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.procedure.engine import Mode
from app.procedure.models import RuleSet

NANTANG_TEXT = """1. 主持中立：主持人只主持会议，不发表倾向性意见，不参与表决。
2. 动议中心：讨论围绕明确的动议进行，先动议、后讨论，无动议不讨论。
3. 举手发言：发言前先举手，经主持人同意后才能发言。
4. 限时发言：每人每次发言不超过2分钟。
5. 限次发言：每人对同一动议最多发言2次。
6. 正反轮替：主持人尽量让赞成方和反对方轮流发言，发言时先表明赞成、反对或中立。
7. 文明表达：不得进行人身攻击，只就事论事。
8. 不跑题：发言须围绕当前动议，主持人有权制止跑题发言。
9. 主持人宣布表决：只有主持人可以宣布进入表决。
10. 多数通过：赞成票多于有效票（赞成票加反对票）的一半，动议通过。
11. 平局否决：赞成票与反对票相等，动议不通过。
12. 少数服从多数：表决结果公布后，少数服从多数，共同执行决议。
13. 决议记录：会议的动议、表决结果和决议记入会议纪要，向居民公开。"""

SIMPLE_TEXT = """1. 已认证的居民都可以直接发言，不必举手。
2. 每条发言不超过300字，每人在一个议题中最多发言5次。
3. 两次发言之间至少间隔30秒。
4. 文明表达，不进行人身攻击，只就事论事。
5. 有人提出动议并获附议后，由主持人宣布表决。
6. 到场表决人数须达到应到人数的一半；赞成票多于有效票的一半即通过，平局不通过。
7. 决议记入会议纪要，向居民公开。"""

SLOW_TEXT = """1. 议题在网上进行数日，不需要主持人同时在线，居民有空时回复。
2. 回复时可表明赞成、反对、中立或提问；回复下可再回复一层。
3. 每条回复不超过1000字，每人每24小时最多回复10条，两次回复至少间隔60秒。
4. 只能对回复表示“同意”或“有用”，每人每条一次。
5. 提案写明截止时间；截止前可以表明立场并说明理由，也可以改变立场。
6. 截止时以各人最后的立场计票，记入可核验的投票记录：到场人数过半、赞成票多于有效票的一半即通过，平局不通过。
7. 文明表达，不进行人身攻击，只就事论事。"""

SHIPPED = {
    "nantang": {
        "name": "南塘议事规则",
        "mode": Mode.FORMAL,
        "max_speech_chars": 500,
        "max_speeches_per_motion": 2,
        "floor_seconds": 120,
        "slow_mode_seconds": 0,
        "stance_required": True,
        "alternate_stances": True,
        "chair_neutral": True,
        "second_required": True,
        "quorum_num": 1,
        "quorum_den": 2,
        "pass_num": 1,
        "pass_den": 2,
        "pass_strict": True,
        "tie_fails": True,
        "auto_hide_reports": 3,
        "motion_first": True,  # rule 2
        "non_party_may_speak": False,
        "text": NANTANG_TEXT,
    },
    "simple": {
        "name": "简易规则",
        "mode": Mode.OPEN,
        "max_speech_chars": 300,
        "max_speeches_per_motion": 5,
        "floor_seconds": 120,
        "slow_mode_seconds": 30,
        "stance_required": False,
        "alternate_stances": False,
        "chair_neutral": False,
        "second_required": True,
        "quorum_num": 1,
        "quorum_den": 2,
        "pass_num": 1,
        "pass_den": 2,
        "pass_strict": True,
        "tie_fails": True,
        "auto_hide_reports": 3,
        "motion_first": False,
        "non_party_may_speak": False,
        "text": SIMPLE_TEXT,
    },
    "slow": {
        "name": "线上协商规则",
        "mode": Mode.SLOW,
        "max_speech_chars": 300,
        "max_speeches_per_motion": 5,
        "floor_seconds": 120,
        "slow_mode_seconds": 60,
        "stance_required": False,
        "alternate_stances": False,
        "chair_neutral": True,
        "second_required": False,
        "quorum_num": 1,
        "quorum_den": 2,
        "pass_num": 1,
        "pass_den": 2,
        "pass_strict": True,
        "tie_fails": True,
        "auto_hide_reports": 3,
        "motion_first": False,
        "non_party_may_speak": False,
        "max_replies_per_day": 10,
        "max_reply_chars": 1000,
        "text": SLOW_TEXT,
    },
}


def ensure_shipped() -> list[RuleSet]:
    """The shipped templates, created on first use (idempotent)."""
    existing = {r.key: r for r in db.session.scalars(select(RuleSet).where(RuleSet.key.in_(SHIPPED)))}
    added = False
    for key, values in SHIPPED.items():
        if key not in existing:
            existing[key] = RuleSet(key=key, community_id=None, **values)
            db.session.add(existing[key])
            added = True
    if added:
        # Reference data seeded on first use, the one commit outside an edge in procedure: the templates'
        # ids are shown on a page (a GET, which commits nothing) and chosen on the next request, so they
        # must outlive the request that created them. It runs before the caller has written anything.
        db.session.commit()
    return [existing[key] for key in SHIPPED]
