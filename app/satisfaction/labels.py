"""How campaigns' states are shown."""

from flask_babel import lazy_gettext as _l

from app.satisfaction.models import CampaignState

STATE_LABELS = {
    CampaignState.DRAFT: _l("Draft"),
    CampaignState.OPEN: _l("Open for answers"),
    CampaignState.CLOSED: _l("Closed"),
}
