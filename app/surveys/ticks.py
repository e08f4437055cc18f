"""The survey engine's step of `flask yishi tick`: open surveys past their closing time are closed."""

from app.notifications import schedule
from app.surveys import services

schedule.register("surveys_closing", services.close_due)
