"""Passwords: hashed with Argon2 in production; 12 characters for staff and 10 for everyone
else, with plain-English advice; common passwords and ones like the person's name refused."""

import importlib

from django.contrib.auth.hashers import check_password, make_password
from django.test import SimpleTestCase, override_settings
from django.urls import reverse

from ascru_pie.models import User
from ascru_pie.passwords import RoleMinimumLengthValidator
from ascru_pie.roles import EDI_ACCESS_GROUP, Role
from ascru_pie.services import user_invitation_url
from tests.base import PASSWORD, BaseTestCase, make_user

ELEVEN = "kettle moon"  # 11 characters
NINE = "kettle mo"


class ProductionHasherTest(SimpleTestCase):
    def test_production_settings_hash_new_passwords_with_argon2(self) -> None:
        # The test settings swap in a fast hasher; read what production (base) says.
        base = importlib.import_module("ascru_pie.settings.base")
        self.assertEqual(
            base.PASSWORD_HASHERS[0], "django.contrib.auth.hashers.Argon2PasswordHasher"
        )
        with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
            encoded = make_password("four unrelated words here")
            self.assertTrue(encoded.startswith("argon2$"), encoded)
            self.assertTrue(check_password("four unrelated words here", encoded))

    def test_old_pbkdf2_hashes_still_work_in_production(self) -> None:
        base = importlib.import_module("ascru_pie.settings.base")
        with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
            old = make_password("an older password", hasher="pbkdf2_sha256")
            self.assertTrue(check_password("an older password", old))


class InvitationPasswordTest(BaseTestCase):
    """Nina is invited; the password she may choose depends on her role."""

    def _invited(self, *roles: str, **extra) -> tuple[User, str]:
        user = User.objects.create_user(username="nina", email="nina@example.org", **extra)
        user.groups.set(user.groups.model.objects.filter(name__in=[str(r) for r in roles]))
        return user, "/" + user_invitation_url(user=user).split("/", 3)[3]

    def _choose(self, path: str, password: str):
        return self.client.post(path, {"new_password1": password, "new_password2": password})

    def test_an_advisor_needs_10_characters_and_is_told_how_in_plain_english(self) -> None:
        user, path = self._invited(Role.ADVISOR)
        response = self._choose(path, NINE)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This password is too short. Use at least 10 characters.")
        self.assertContains(response, "A few unrelated words is easy to remember")
        user.refresh_from_db()
        self.assertFalse(user.has_usable_password())

        response = self._choose(path, "kettle moo")  # 10 characters
        self.assertEqual(response.status_code, 302)
        user.refresh_from_db()
        self.assertTrue(user.check_password("kettle moo"))

    def test_staff_need_12_characters(self) -> None:
        for roles, extra in (
            ((Role.PIE_TEAM,), {}),
            ((Role.FINANCE,), {}),
            ((Role.MANAGER,), {}),
            ((EDI_ACCESS_GROUP,), {}),
            ((), {"is_superuser": True}),
        ):
            with self.subTest(roles=roles, extra=extra):
                user, path = self._invited(*roles, **extra)
                response = self._choose(path, ELEVEN)
                self.assertContains(response, "Use at least 12 characters.")
                user.refresh_from_db()
                self.assertFalse(user.has_usable_password())
                self.assertEqual(self._choose(path, ELEVEN + "s!").status_code, 302)
                user.delete()
                self.client.logout()

    def test_a_common_password_or_one_like_her_name_is_refused(self) -> None:
        _, path = self._invited(Role.ADVISOR, first_name="Ninabelle")
        self.assertContains(self._choose(path, "password1234"), "This password is too common.")
        self.assertContains(self._choose(path, "ninabelle12"), "too similar")


class PasswordChangeTest(BaseTestCase):
    def _change(self, user: User, new: str):
        self.client.force_login(user)
        return self.client.post(
            reverse("password_change"),
            {"oldpassword": PASSWORD, "password1": new, "password2": new},
        )

    def test_alice_may_change_to_10_characters_but_not_9(self) -> None:
        response = self._change(self.advisor_alice, NINE)
        self.assertContains(response, "Use at least 10 characters.")
        self.assertEqual(self._change(self.advisor_alice, "kettle moo").status_code, 302)
        self.advisor_alice.refresh_from_db()
        self.assertTrue(self.advisor_alice.check_password("kettle moo"))

    def test_researcher_rita_counts_as_an_advisor_for_length(self) -> None:
        self.assertEqual(self._change(self.researcher_rita, "kettle moo").status_code, 302)


class ValidatorTest(BaseTestCase):
    def test_an_unknown_or_unsaved_user_gets_the_advisor_minimum(self) -> None:
        validator = RoleMinimumLengthValidator()
        self.assertEqual(validator.required_length(None), 10)
        self.assertEqual(validator.required_length(User(username="new")), 10)
        self.assertEqual(validator.required_length(User(username="root", is_superuser=True)), 12)
        self.assertEqual(validator.required_length(self.staff_sam), 12)
        self.assertEqual(validator.required_length(make_user("ann", Role.ADVISOR)), 10)
