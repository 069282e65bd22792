"""How the impacts pages say a survey's dates, and an evidence file's name."""

import datetime

import time_machine
from django.test import SimpleTestCase

from impacts.models import ImpactRecord, Survey
from impacts.templatetags.impacts_words import survey_dates


class SurveyDatesTest(SimpleTestCase):
    @time_machine.travel(datetime.datetime(2026, 6, 10, 9, 0, tzinfo=datetime.UTC), tick=False)
    def test_opens_open_until_and_closed(self) -> None:
        table = [
            (
                (datetime.date(2026, 7, 1), datetime.date(2026, 7, 30)),
                "Opens on Wednesday 1 July 2026",
            ),
            (
                (datetime.date(2026, 6, 1), datetime.date(2026, 6, 10)),
                "Open until Wednesday 10 June 2026",
            ),
            (
                (datetime.date(2026, 1, 1), datetime.date(2026, 1, 30)),
                "Closed on Friday 30 January 2026",
            ),
        ]
        for (opens_on, closes_on), words in table:
            with self.subTest(words=words):
                survey = Survey(opens_on=opens_on, closes_on=closes_on)
                self.assertEqual(survey_dates(survey), words)


class EvidenceFilenameTest(SimpleTestCase):
    def test_the_file_name_without_its_folders(self) -> None:
        self.assertEqual(
            ImpactRecord(evidence_file="impact-evidence/2026/minutes.pdf").evidence_filename,
            "minutes.pdf",
        )
        self.assertEqual(ImpactRecord().evidence_filename, "")
