"""An advisor saving their own details: the details and the topics are saved together."""

from advisors.models import Advisor, Topic
from advisors.services import advisor_profile_update
from tests.base import BaseTestCase


class AdvisorProfileUpdateTest(BaseTestCase):
    def test_alice_changes_her_phone_and_her_topics_at_once(self) -> None:
        housing = Topic.objects.create(name="Housing")
        care = Topic.objects.create(name="Social care at home")
        self.alice.topics.set([housing])
        self.alice.phone = "01632 960 002"

        advisor_profile_update(advisor=self.alice, topics=[care])

        alice = Advisor.objects.get(pk=self.alice.pk)
        self.assertEqual(alice.phone, "01632 960 002")
        self.assertEqual(list(alice.topics.all()), [care])
