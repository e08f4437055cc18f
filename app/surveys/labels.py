"""How the survey engine's states and kinds are shown."""

from flask_babel import lazy_gettext as _l

from app.surveys.models import QuestionKind, Respondent, SurveyState

STATE_LABELS = {SurveyState.DRAFT: _l("Draft"), SurveyState.OPEN: _l("Open"), SurveyState.CLOSED: _l("Closed")}
KIND_LABELS = {
    QuestionKind.SINGLE: _l("One choice"),
    QuestionKind.MULTIPLE: _l("Several choices"),
    QuestionKind.SCALE: _l("Scale"),
    QuestionKind.TEXT: _l("Short text"),
}
RESPONDENT_LABELS = {
    Respondent.PERSON: _l("One answer per person"),
    Respondent.HOUSEHOLD: _l("One answer per household"),
}
