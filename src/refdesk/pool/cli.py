"""Pool commands (import, export, naics) are registered here."""


def register(sub) -> None:
    from refdesk.pool import cli_import_export, cli_naics

    cli_import_export.register(sub)
    cli_naics.register(sub)
