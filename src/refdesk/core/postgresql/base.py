"""Django's PostgreSQL backend, but the health check at the start of each request asks the socket
before it asks the server.

With `CONN_HEALTH_CHECKS` Django sends `SELECT 1` on a reused connection before the first query of
every request: a round trip and a query on both sides, on every request. An idle connection's
socket has nothing to read unless the server sent something unasked: the notice that it is
closing the connection (a restart, an administrator, an idle timeout) or a notification. So an
idle connection whose socket has nothing to read is healthy as far as anyone can tell without
asking; only otherwise, or when the connection is not idle, the usual `SELECT 1` decides.
"""

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and self._quiet_and_idle()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _quiet_and_idle(self) -> bool:
        """Idle, and the server has sent nothing since the last answer."""
        connection = self.connection
        try:
            if connection.closed or connection.info.transaction_status != TransactionStatus.IDLE:
                return False
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):  # a closed descriptor: let the usual check close it
            return False
        return not readable
