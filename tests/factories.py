"""factory_boy factories for records the tests set up directly (what other processes would write)."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from models import AnnualRating
from models import InfluencePeriod
from webapp.extensions import db
from workflows.engine.clock import today_local


def shanghai_today() -> date:
    """Business dates are Asia/Shanghai dates, whatever the machine's zone."""
    return today_local().date()


class _Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class InfluencePeriodFactory(_Base):
    class Meta:
        model = InfluencePeriod

    kind = "admonish"
    restriction = "no_promotion"
    starts_on = factory.LazyFunction(lambda: shanghai_today() - timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: shanghai_today() + timedelta(days=150))


class AnnualRatingFactory(_Base):
    class Meta:
        model = AnnualRating

    year = 2025
    rating = "称职"
    source = "manual"
