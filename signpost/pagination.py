"""One way to page through a long list: Flask-SQLAlchemy's pagination (what db.paginate
returns), with the page number kept in range."""

from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import Select, func, select

from signpost.extensions import db


class RowPagination(SelectPagination):
    """Like db.paginate, for selects of several columns: each item is a row, not an object."""

    def _query_items(self) -> list:
        select_ = self._query_args["select"]
        query = select_.limit(self.per_page).offset(self._query_offset)
        return list(db.session.execute(query).all())


def paginate(query: Select, page: int | None, per_page: int, *, rows: bool = False) -> Pagination:
    """A page of `query`, its number brought within 1..pages whatever was asked for."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, -(-total // per_page))
    number = min(max(1, page or 1), pages)
    kind = RowPagination if rows else SelectPagination
    found = kind(
        select=query,
        session=db.session,
        page=number,
        per_page=per_page,
        error_out=False,
        count=False,
    )
    found.total = total  # counted once, above, to keep the page number in range
    return found
