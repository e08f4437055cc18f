"""The demo's decisions: an owners' decision open for voting."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from flask import current_app
from PIL import Image, ImageDraw

from app.accounts.models import User
from app.communities import access
from app.communities.models import Community
from app.core.models import utcnow
from app.core.uploads import PhotoStore
from app.decisions import services as decisions
from app.documents import registry
from app.documents import services as documents

QUOTE = Path(__file__).parent / "files" / "lift-quote.pdf"


def load(community: Community, users: dict[str, User]) -> None:
    """An owners' decision open for voting (item 5: the maintenance fund repairs a lift), with the roll frozen
    from the register, a few ballots in, and one paper ballot waiting for its second entry. 张建国 can vote.
    An owner without a phone signed an authorisation at the office: 王秀兰 votes for them as their proxy."""
    committee, staff = users["13800000007"], users["13800000008"]
    today = utcnow().date()
    decision = decisions.create(
        access.viewer(committee, community),
        client_id="demo-decision-1",
        matter=5,
        title="使用专项维修资金维修1栋电梯",
        body=(
            "1栋电梯已运行15年，近半年多次困人。经电梯检验机构检测，需更换曳引机和控制柜。\n\n"
            "- 预算：**28.6万元**，从1栋专项维修资金列支；\n"
            "- 施工：约30天，期间1栋住户可使用临时爬楼服务；\n"
            "- 报价单和检测报告在物业服务中心公示，报价单也附在本页。\n\n"
            "请业主在投票期内选择同意、反对或弃权。"
        ),
        starts_on=today - timedelta(days=2),
        ends_on=today + timedelta(days=12),
        publicity_days=7,
    )
    documents.attach(
        access.viewer(committee, community),
        registry.kind("decision"),
        decision,
        data=QUOTE.read_bytes(),
        file_name="1栋电梯维修报价单.pdf",
        client_id="demo-quote-1",
    )
    decisions.open_voting(access.viewer(committee, community), decision)
    roll = decisions.roll_of(decision)
    by_user = {entry.voter_user_id: entry for entry in roll if entry.voter_user_id}
    for phone, choice in (("13800000007", "agree"), ("13800000003", "agree"), ("13800000004", "oppose")):
        if users[phone].id in by_user:
            decisions.vote(access.viewer(users[phone], community), decision, choice)
    paper = next(entry for entry in roll if entry.voter_user_id is None and not entry.developer)
    for n, counter in enumerate((committee, staff)):
        decisions.enter_paper(
            access.viewer(counter, community),
            decision,
            roll_entry_id=paper.id,
            choice="agree",
            client_id=f"demo-paper-{n}",
        )
    waiting = next(e for e in roll if e.voter_user_id is None and not e.developer and e.id != paper.id)
    decisions.enter_paper(
        access.viewer(committee, community),
        decision,
        roll_entry_id=waiting.id,
        choice="abstain",
        client_id="demo-paper-2",
    )
    _office_proxy(community, staff, users["13800000001"], decision, roll, {paper.id, waiting.id})


def _office_proxy(community, staff, proxy_user, decision, roll, taken) -> None:
    """An elderly owner without a phone appointed a family member at the office; staff kept a photo of the paper."""
    entry = next(e for e in roll if e.voter_user_id is None and not e.developer and e.id not in taken)
    store = PhotoStore(current_app.config, community_id=community.id, owner_id=staff.id)
    with current_app.test_request_context():  # the proxy's notification links to the decision (url_for)
        decisions.record_office(
            access.viewer(staff, community),
            decision,
            roll_entry_id=entry.id,
            phone=proxy_user.phone,
            photo=_authorisation_photo(),
            store=store,
        )


def _authorisation_photo() -> bytes:
    """A stand-in for the photo of a signed 委托书: a white sheet with lines of "text" and a signature."""
    image = Image.new("RGB", (600, 800), "white")
    draw = ImageDraw.Draw(image)
    for y in range(120, 620, 40):
        draw.line((60, y, 540, y), fill=(150, 150, 150), width=3)
    draw.line((340, 700, 520, 680), fill=(20, 20, 120), width=4)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()
