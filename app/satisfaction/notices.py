"""Satisfaction campaigns' notifications and the scheduler's steps: residents are told when a campaign
opens, reminded the day before it closes if their household has not answered every subject, and campaigns
past their time are closed on the tick."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.clock import local_time, local_today
from app.extensions import db
from app.notifications import kinds, schedule
from app.notifications.kinds import Importance
from app.notifications.services import notify
from app.satisfaction import queries, services, signals
from app.satisfaction.models import Campaign, CampaignState
from app.satisfaction.owner import path

OPENED, CLOSING = "satisfaction_opened", "satisfaction_closing"
kinds.register(OPENED, Importance.ACTION, _l("A satisfaction survey opened for you"))
kinds.register(
    CLOSING, Importance.ACTION, _l("A satisfaction survey closes tomorrow and your household has not answered")
)


@signals.campaign_opened.connect
def _tell_residents(campaign: Campaign, **_extra) -> None:
    url = path("satisfaction.show", campaign_id=campaign.id)
    for user in queries.residents(campaign.community_id):
        notify(
            user,
            OPENED,
            _l("Satisfaction survey “%(title)s”: tell us how satisfied you are (anonymous).", title=campaign.title),
            url=url,
            community_id=campaign.community_id,
            key=f"{OPENED}:{campaign.id}",
        )


def remind_closing(now) -> int:
    """The day before the last day: those whose household has not answered every subject hear it once."""
    tomorrow = local_today(now) + timedelta(days=1)
    sent = 0
    for campaign in db.session.scalars(
        select(Campaign).where(Campaign.state == CampaignState.OPEN, Campaign.closes_at > now)
    ).all():
        if local_time(campaign.closes_at - timedelta(microseconds=1)).date() != tomorrow:
            continue
        for user in queries.yet_to_answer(campaign).values():
            item = notify(
                user,
                CLOSING,
                _l("The satisfaction survey “%(title)s” closes tomorrow.", title=campaign.title),
                url=path("satisfaction.show", campaign_id=campaign.id),
                community_id=campaign.community_id,
                key=f"{CLOSING}:{campaign.id}",
            )
            sent += item is not None
    return sent


schedule.register("satisfaction_closing", remind_closing)
schedule.register("satisfaction_close", services.close_due)
