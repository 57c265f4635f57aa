from django.apps import AppConfig


class PoolConfig(AppConfig):
    name = "refdesk.pool"
    label = "pool"
    verbose_name = "Reference pool"

    def ready(self):
        from refdesk.core.changes import track_deletions
        from refdesk.pool.models import Account, Contact, Product, ReferenceProfile

        # The matcher's index mirrors these tables (refdesk.matching.engine.pool_version); the
        # pool page's filters list the products.
        track_deletions(Account, Contact, Product, ReferenceProfile)
