"""Timelines written before this named the referrer by email ("Told dana@…: …"), shown to everyone
who reads the lead; they now name the referrer instead, as new entries do."""

from django.db import migrations


def name_not_address(apps, schema_editor):
    LeadEvent = apps.get_model("referrals", "LeadEvent")
    events = LeadEvent.objects.filter(kind="referrer_informed").select_related(
        "lead__referrer_contact", "lead__referrer_user"
    )
    for event in events.iterator(chunk_size=500):
        lead = event.lead
        prefix = f"Told {lead.referrer_email}: "
        if not lead.referrer_email or not event.text.startswith(prefix):
            continue
        if lead.referrer_contact_id:
            name = lead.referrer_contact.name
        elif lead.referrer_user_id:
            user = lead.referrer_user
            name = f"{user.first_name} {user.last_name}".strip() or user.email
        else:
            name = lead.referrer_name
        event.text = f"Told {name or 'the referrer'}: {event.text[len(prefix):]}"[:500]
        event.save(update_fields=["text"])


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = [migrations.RunPython(name_not_address, migrations.RunPython.noop)]
