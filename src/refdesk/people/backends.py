from django.contrib.auth.backends import ModelBackend


class RoleBackend(ModelBackend):
    """Email login; a program manager holds every permission (they run the admin)."""

    def has_perm(self, user_obj, perm, obj=None):
        if user_obj.is_active and getattr(user_obj, "is_program_manager", False):
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        if user_obj.is_active and getattr(user_obj, "is_program_manager", False):
            return True
        return super().has_module_perms(user_obj, app_label)
