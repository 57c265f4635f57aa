from django.contrib.auth.backends import ModelBackend


class RoleBackend(ModelBackend):
    """Email login; a program manager holds every permission (they run the admin)."""

    def get_user(self, user_id):
        """The session's user on every page request, through a query compiled once."""
        from refdesk.people.selectors import active_user

        try:
            user = active_user(int(user_id))
        except (TypeError, ValueError):
            return None
        return user if user is not None and self.user_can_authenticate(user) else None

    def has_perm(self, user_obj, perm, obj=None):
        if user_obj.is_active and getattr(user_obj, "is_program_manager", False):
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        if user_obj.is_active and getattr(user_obj, "is_program_manager", False):
            return True
        return super().has_module_perms(user_obj, app_label)
