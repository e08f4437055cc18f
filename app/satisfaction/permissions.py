"""Who may do what with satisfaction campaigns.

- Community staff, and the street and district staff overseeing the community, make, open and close
  campaigns and publish the note on what was done with the answers.
- Results are read only after the close. A community worker's results: that worker, and the street and
  district staff (no other worker, no resident). An organisation's or a project's results: every member of
  the community too (and the street and district staff). The yearly assessment's weights are the district
  staff's.
"""

from __future__ import annotations

from app.accounts.models import User
from app.communities import access
from app.communities.access import Viewer
from app.satisfaction import subjects
from app.satisfaction.models import Campaign, CampaignState, CampaignSubject


def can_create(viewer: Viewer) -> bool:
    return viewer.is_staff or viewer.oversees


def can_manage(viewer: Viewer, campaign: Campaign) -> bool:
    return viewer.community_id == campaign.community_id and can_create(viewer)


def can_view(viewer: Viewer, campaign: Campaign) -> bool:
    if not viewer.may_see or viewer.community_id != campaign.community_id:
        return False
    return campaign.state != CampaignState.DRAFT or can_manage(viewer, campaign)


def can_see_results(viewer: Viewer, campaign: Campaign, subject: CampaignSubject) -> bool:
    if campaign.state != CampaignState.CLOSED or not can_view(viewer, campaign):
        return False
    if viewer.oversees:
        return True
    kind = subjects.kind(subject.kind)
    if kind is None:
        return False
    return kind.is_subject(viewer, subject.subject_id) or (kind.public and viewer.is_member)


def can_set_weight(user: User, campaign: Campaign) -> bool:
    """District staff of the campaign's district weigh it in the year's assessment."""
    return access.oversees(user, district=campaign_district(campaign))


def campaign_district(campaign: Campaign) -> int:
    return access.community_by_id(campaign.community_id).street.district_id


# -- street-wide campaigns: a street's, not one community's ---------------------------------------------------


def can_run_street(user: User, street) -> bool:
    """The street's own staff make, open and close a street-wide campaign over its communities."""
    return access.oversight(user).staffs_street(street.id)


def can_view_street(user: User, street) -> bool:
    """The street's staff and the staff of its district read a street-wide campaign and its results."""
    return access.oversees(user, street=street)
