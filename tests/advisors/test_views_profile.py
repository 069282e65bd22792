"""An advisor's own profile at /portal/profile/."""

from django.urls import reverse

from advisors.models import Recognition
from tests.base import BaseTestCase
from tests.factories import TrainingFactory

URL = reverse("advisors:profile")


def profile_form(**overrides) -> dict:
    data = {
        "email": "alice@example.org",
        "phone": "01632 960 001",
        "address": "",
        "postcode": "",
        "contact_method": "email",
        "contact_format": "large_print",
        "contact_format_other": "",
        "availability": "Mornings",
        "support_needs": "Large-print papers, please.",
        "acknowledgement": "initials",
    }
    data.update(overrides)
    return data


class ProfileTest(BaseTestCase):
    def test_alice_sees_her_own_details_training_and_recognition(self) -> None:
        TrainingFactory(advisor=self.alice, course="Research basics")
        TrainingFactory(advisor=self.bob, course="Bob's secret course")
        Recognition.objects.create(advisor=self.alice, kind="certificate", given_on="2025-07-01")
        self.client.force_login(self.advisor_alice)
        response = self.client.get(URL)
        self.assertContains(response, "Alice Ashby")
        self.assertContains(response, "Research basics")
        self.assertContains(response, "Certificate of involvement issued")
        self.assertNotContains(response, "Bob")

    def test_alice_updates_her_details_and_support_needs(self) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.post(URL, profile_form(), follow=True)
        self.assertContains(response, "Your details have been saved.")
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.phone, "01632 960 001")
        self.assertEqual(self.alice.support_needs, "Large-print papers, please.")
        self.assertEqual(self.alice.acknowledgement, "initials")
        self.bob.refresh_from_db()
        self.assertEqual(self.bob.support_needs, "")

    def test_bad_input_is_explained_and_nothing_is_saved(self) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.post(
            URL, profile_form(contact_method="phone", phone="", support_needs="changed")
        )
        self.assertContains(response, "You asked us to contact you by phone", status_code=400)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.support_needs, "")

    def test_alice_cannot_change_her_name_status_or_staff_fields(self) -> None:
        self.client.force_login(self.advisor_alice)
        self.client.post(
            URL,
            profile_form(
                first_name="Mallory",
                status="left",
                pieg_member="on",
                staff_notes="hacked",
                support_budget="9999",
            ),
        )
        self.alice.refresh_from_db()
        self.assertEqual(
            (self.alice.first_name, self.alice.status, self.alice.pieg_member),
            ("Alice", "active", False),
        )
        self.assertEqual((self.alice.staff_notes, self.alice.support_budget), ("", None))

    def test_alice_cannot_download_bobs_certificate(self) -> None:
        mine, his = TrainingFactory(advisor=self.alice), TrainingFactory(advisor=self.bob)
        self.client.force_login(self.advisor_alice)
        self.assertEqual(
            self.client.get(reverse("advisors:training-certificate", args=[mine.pk])).status_code,
            200,
        )
        self.assertEqual(
            self.client.get(reverse("advisors:training-certificate", args=[his.pk])).status_code,
            404,
        )

    def test_an_advisor_account_without_a_record_gets_a_clear_404(self) -> None:
        self.alice.user = None
        self.alice.save()
        self.client.force_login(self.advisor_alice)
        self.assertEqual(self.client.get(URL).status_code, 404)

    def test_page_query_count_does_not_grow_with_training_records(self) -> None:
        self.client.force_login(self.advisor_alice)
        TrainingFactory(advisor=self.alice)
        # session, user, groups, advisor, sign-in email change waiting, training,
        # recognitions, output credits, topics (choices), topics selected
        with self.assertNumQueries(10):
            self.client.get(URL)
        for _ in range(5):
            TrainingFactory(advisor=self.alice)
        with self.assertNumQueries(10):
            self.client.get(URL)


class ProfileCreditsTest(BaseTestCase):
    def test_outputs_appear_on_the_recognition_record_as_the_advisor_chose(self) -> None:
        from projects.models import Output, OutputCredit
        from tests.factories import ProjectFactory

        output = Output.objects.create(
            project=ProjectFactory(), kind="paper", title="Care at home: what matters"
        )
        OutputCredit.objects.create(output=output, advisor=self.alice, credit="co_author")
        self.alice.acknowledgement = "initials"
        self.alice.save()
        self.client.force_login(self.advisor_alice)
        response = self.client.get(URL)
        self.assertContains(response, "Care at home: what matters")
        self.assertContains(response, "co-author, named as “A. A.”")
