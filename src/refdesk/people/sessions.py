"""Django's database sessions, read through a query compiled once: every page request reads one."""

from django.contrib.sessions.backends import db
from django.utils import timezone

from refdesk.core.compiled import compiled_rows


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        """The stored session while it has not expired, as Django's own store answers (the expiry
        is compared here: one parameter less to bind, and the same answer)."""
        key = self.session_key  # None when the cookie held no valid key
        if key is not None:
            model = self.get_model_class()

            def build(session_key):
                return model.objects.filter(session_key=session_key).order_by().values_list("session_data", "expire_date")

            rows = compiled_rows(("sessions: by key",), build, session_key=key)
            if rows and rows[0][1] > timezone.now():
                return model(session_key=key, session_data=rows[0][0], expire_date=rows[0][1])
        self._session_key = None
        return None
