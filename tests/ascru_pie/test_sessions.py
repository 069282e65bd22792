"""Sessions: staff are signed out after 30 idle minutes, advisors are not; nobody's session
lasts 14 days; a deactivated person's old session cookie never works again."""

import datetime

import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ascru_pie.models import User
from ascru_pie.roles import EDI_ACCESS_GROUP
from tests.base import PASSWORD, BaseTestCase, make_user

STAFF_HOME = "/staff/"
PORTAL = "/portal/"


class StaffIdleTimeoutTest(BaseTestCase):
    def _signed_in_at(self, user: User, start: datetime.datetime, page: str) -> Client:
        with time_machine.travel(start, tick=False):
            self.client.force_login(user)
            self.assertEqual(self.client.get(page).status_code, 200)
        return self.client

    def test_sam_is_signed_out_after_31_idle_minutes_with_a_plain_message(self) -> None:
        start = timezone.now()
        self._signed_in_at(self.staff_sam, start, STAFF_HOME)
        with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
            response = self.client.get(STAFF_HOME)
            self.assertRedirects(
                response, f"{reverse('login')}?next={STAFF_HOME}", fetch_redirect_response=False
            )
            self.assertNotIn("_auth_user_id", self.client.session)
            (message,) = get_messages(response.wsgi_request)
            self.assertIn("signed out because the site was not used for 30 minutes", str(message))
            # The next page is the login page, not Sam's work.
            self.assertEqual(self.client.get(STAFF_HOME).status_code, 302)

    def test_sam_is_still_signed_in_after_29_idle_minutes_and_the_clock_restarts(self) -> None:
        start = timezone.now()
        self._signed_in_at(self.staff_sam, start, STAFF_HOME)
        with time_machine.travel(start + datetime.timedelta(minutes=29), tick=False):
            self.assertEqual(self.client.get(STAFF_HOME).status_code, 200)
        # 58 minutes after signing in, but only 29 after the last page.
        with time_machine.travel(start + datetime.timedelta(minutes=58), tick=False):
            self.assertEqual(self.client.get(STAFF_HOME).status_code, 200)

    def test_every_staff_role_times_out(self) -> None:
        edi = make_user("eddie", EDI_ACCESS_GROUP)
        root = make_user("root", is_superuser=True, is_staff=True)
        for user in (self.finance_fay, self.manager_mo, edi, root):
            with self.subTest(user=user.username):
                start = timezone.now()
                with time_machine.travel(start, tick=False):
                    self.client.force_login(user)
                    self.client.get(reverse("home"))
                with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
                    self.client.get(reverse("home"))
                    self.assertNotIn("_auth_user_id", self.client.session)

    def test_alice_the_advisor_is_not_cut_off_after_30_minutes(self) -> None:
        start = timezone.now()
        self._signed_in_at(self.advisor_alice, start, PORTAL)
        with time_machine.travel(start + datetime.timedelta(minutes=90), tick=False):
            self.assertEqual(self.client.get(PORTAL).status_code, 200)
            self.assertEqual(int(self.client.session["_auth_user_id"]), self.advisor_alice.pk)

    def test_researchers_are_not_cut_off_either(self) -> None:
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            self.client.force_login(self.researcher_rita)
            self.client.get(reverse("home"))
        with time_machine.travel(start + datetime.timedelta(minutes=45), tick=False):
            self.client.get(reverse("home"))
            self.assertIn("_auth_user_id", self.client.session)

    @override_settings(STAFF_SESSION_IDLE_MINUTES=10)
    def test_the_idle_time_is_a_setting(self) -> None:
        start = timezone.now()
        self._signed_in_at(self.staff_sam, start, STAFF_HOME)
        with time_machine.travel(start + datetime.timedelta(minutes=11), tick=False):
            response = self.client.get(STAFF_HOME)
            self.assertEqual(response.status_code, 302)
            (message,) = get_messages(response.wsgi_request)
            self.assertIn("not used for 10 minutes", str(message))

    def test_a_timed_out_form_post_goes_to_the_login_page_without_saving(self) -> None:
        start = timezone.now()
        self._signed_in_at(self.staff_sam, start, STAFF_HOME)
        with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
            response = self.client.post(reverse("admin:ascru_pie_user_add"), {"username": "x"})
            self.assertRedirects(response, reverse("login"), fetch_redirect_response=False)
        self.assertFalse(User.objects.filter(username="x").exists())

    def test_an_ordinary_page_costs_no_extra_session_write(self) -> None:
        # The idle clock is started at sign-in and saved at most once a minute, so pages that
        # pin their query count are not changed by it.
        for user in (self.advisor_alice, self.staff_sam):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                with CaptureQueriesContext(connection) as queries:
                    self.client.get(reverse("home"))
                    self.client.get(reverse("home"))
                session_writes = [
                    q["sql"]
                    for q in queries.captured_queries
                    if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")
                ]
                self.assertEqual(session_writes, [])


class SessionLifetimeTest(BaseTestCase):
    def test_nobodys_session_cookie_lasts_14_days(self) -> None:
        # 12 hours: a day of meetings, but gone by the next day on a shared computer.
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            self.client.force_login(self.advisor_alice)
        # A visit more than a minute later saves the idle clock, which renews the cookie.
        with time_machine.travel(start + datetime.timedelta(minutes=2), tick=False):
            response = self.client.get(PORTAL)
        cookie = response.cookies[settings.SESSION_COOKIE_NAME]
        self.assertEqual(int(cookie["max-age"]), 12 * 60 * 60)

    def test_an_advisor_session_ends_12_hours_after_the_last_visit(self) -> None:
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            self.client.force_login(self.advisor_alice)
            self.assertEqual(self.client.get(PORTAL).status_code, 200)
        with time_machine.travel(start + datetime.timedelta(hours=12, minutes=1), tick=False):
            self.assertEqual(self.client.get(PORTAL).status_code, 302)


class DeactivatedSessionTest(BaseTestCase):
    """Bob's session cookie from before he was deactivated never works again."""

    def _old_cookie_client(self) -> tuple[Client, str]:
        client = Client()
        client.force_login(self.advisor_bob)
        self.assertEqual(client.get(PORTAL).status_code, 200)
        return client, client.cookies[settings.SESSION_COOKIE_NAME].value

    def _client_with(self, cookie: str) -> Client:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = cookie
        return client

    def _deactivate_in_admin(self, user: User) -> None:
        root = make_user("root", is_superuser=True, is_staff=True)
        admin = Client()
        admin.force_login(root)
        url = reverse("admin:ascru_pie_user_change", args=[user.pk])
        form = admin.get(url).context["adminform"].form
        data = {
            name: value
            for name, value in form.initial.items()
            if value is not None and name not in ("password", "groups", "user_permissions")
        }
        data |= {
            "groups": [g.pk for g in user.groups.all()],
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": user.date_joined.strftime("%d/%m/%Y"),
            "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        }
        data.pop("is_active", None)
        data.pop("last_login", None)
        data.pop("date_joined", None)
        response = admin.post(url, data)
        self.assertEqual(response.status_code, 302, getattr(response, "context", None))

    def test_deactivated_then_reactivated_bob_cannot_use_his_old_cookie(self) -> None:
        _, cookie = self._old_cookie_client()
        self.advisor_bob.is_active = False
        self.advisor_bob.save()
        self.assertEqual(self._client_with(cookie).get(PORTAL).status_code, 302)

        self.advisor_bob.is_active = True
        self.advisor_bob.save()
        response = self._client_with(cookie).get(PORTAL)
        self.assertRedirects(response, f"{reverse('login')}?next={PORTAL}")

        # Signing in again works.
        client = Client()
        self.assertTrue(client.login(username="bob", password=PASSWORD))
        self.assertEqual(client.get(PORTAL).status_code, 200)

    def test_deactivating_in_the_admin_ends_his_sessions_too(self) -> None:
        _, cookie = self._old_cookie_client()
        self._deactivate_in_admin(self.advisor_bob)
        self.advisor_bob.refresh_from_db()
        self.assertFalse(self.advisor_bob.is_active)
        User.objects.filter(pk=self.advisor_bob.pk).update(is_active=True)
        self.assertEqual(self._client_with(cookie).get(PORTAL).status_code, 302)

    def test_deactivating_in_bulk_ends_their_sessions_too(self) -> None:
        _, cookie = self._old_cookie_client()
        self.assertEqual(User.objects.filter(pk=self.advisor_bob.pk).deactivate(), 1)
        User.objects.filter(pk=self.advisor_bob.pk).update(is_active=True)
        self.assertEqual(self._client_with(cookie).get(PORTAL).status_code, 302)

    def test_sessions_from_before_this_change_still_work(self) -> None:
        # Never deactivated: the session hash is Django's own, so nobody is signed out by
        # the upgrade, and other people's cookies are untouched by Bob's deactivation.
        alice = Client()
        alice.force_login(self.advisor_alice)
        User.objects.filter(pk=self.advisor_bob.pk).deactivate()
        self.assertEqual(alice.get(PORTAL).status_code, 200)
        self.assertEqual(self.advisor_alice.session_epoch, 0)


class DeactivateActionTest(BaseTestCase):
    def _action(self, by: User, *users: User):
        self.client.force_login(by)
        return self.client.post(
            reverse("admin:ascru_pie_user_changelist"),
            {"action": "deactivate", "_selected_action": [u.pk for u in users]},
        )

    def test_the_admin_action_ends_bobs_sessions_for_good(self) -> None:
        bob = Client()
        bob.force_login(self.advisor_bob)
        cookie = bob.cookies[settings.SESSION_COOKIE_NAME].value
        root = make_user("root", is_superuser=True, is_staff=True)
        self.assertEqual(self._action(root, self.advisor_bob).status_code, 302)
        self.advisor_bob.refresh_from_db()
        self.assertFalse(self.advisor_bob.is_active)
        User.objects.filter(pk=self.advisor_bob.pk).update(is_active=True)
        old = Client()
        old.cookies[settings.SESSION_COOKIE_NAME] = cookie
        self.assertEqual(old.get(PORTAL).status_code, 302)

    def test_the_pie_team_cannot_deactivate_staff_with_it(self) -> None:
        response = self._action(self.staff_sam, self.finance_fay)
        self.assertEqual(response.status_code, 403)
        self.finance_fay.refresh_from_db()
        self.assertTrue(self.finance_fay.is_active)
        # Advisors they may.
        self.assertEqual(self._action(self.staff_sam, self.advisor_bob).status_code, 302)
        self.advisor_bob.refresh_from_db()
        self.assertFalse(self.advisor_bob.is_active)
