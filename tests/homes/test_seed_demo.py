from io import StringIO

from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.urls import reverse

from ascru_pie.demo import DEMO_PASSWORD
from ascru_pie.models import User


def snapshot() -> dict[str, int]:
    """Row counts of every project model: equal snapshots mean nothing was duplicated."""
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label
        in {"ascru_pie", "advisors", "projects", "meetings", "payments", "impacts", "auth"}
    }


@override_settings(DEBUG=True)
class SeedDemoTest(TestCase):
    def test_running_twice_leaves_the_same_data(self) -> None:
        out = StringIO()
        call_command("seed_demo", stdout=out)
        first = snapshot()
        call_command("seed_demo", stdout=StringIO())
        self.assertEqual(snapshot(), first)
        self.assertIn(DEMO_PASSWORD, out.getvalue())

    def test_one_user_per_role_who_can_sign_in(self) -> None:
        call_command("seed_demo", stdout=StringIO())
        for username, home in [
            ("coordinator", "/staff/"),
            ("advisor", "/portal/"),
            ("researcher", "/research/"),
            ("manager", "/reports/"),
        ]:
            with self.subTest(username=username):
                self.assertTrue(self.client.login(username=username, password=DEMO_PASSWORD))
                self.assertEqual(User.objects.get(username=username).home_url, home)

    def test_the_demo_advisor_has_one_email_and_signs_in_with_it(self) -> None:
        """Review L7: she signed in with advisor@example.org, her details said another."""
        call_command("seed_demo", stdout=StringIO())
        call_command("seed_demo", stdout=StringIO())
        user = User.objects.get(username="advisor")
        self.assertEqual(user.email, user.advisor.email)
        self.assertEqual(User.objects.filter(email__iexact=user.email).count(), 1)
        self.client.logout()
        response = self.client.post(
            reverse("login"),
            {"login": user.advisor.email, "password": DEMO_PASSWORD},
            REMOTE_ADDR="10.0.0.9",
        )
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/portal/").status_code, 200)
        self.assertContains(self.client.get(reverse("advisors:profile")), user.email)

    @override_settings(DEBUG=False)
    def test_refuses_without_debug(self) -> None:
        with self.assertRaisesMessage(CommandError, "only runs with DJANGO_DEBUG=1"):
            call_command("seed_demo", stdout=StringIO())
        self.assertFalse(User.objects.filter(username="coordinator").exists())
