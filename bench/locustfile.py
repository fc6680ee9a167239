"""The simulated users of ``bench/load.py``: programme staff, facilitators and participants
answering their invitation. Run through ``bench/load.py``, which seeds the data, starts
gunicorn and writes the fixture this file reads (``LOAD_FIXTURE``: session cookies, the
programs and workshops of each user, RSVP links).

Think times: staff and facilitators open a page every 2 to 6 seconds (someone working
quickly through their day); a participant answers every 5 to 15 seconds (reading the
invitation, filling in the form), three requests each time.

A page counts as failed when it does not answer 200 (302 for a form that redirects), or
when it answers with the sign-in page (a session that stopped working).
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path

from locust import HttpUser, between, task

FIXTURE = json.loads(Path(os.environ["LOAD_FIXTURE"]).read_text())
_staff = itertools.cycle(FIXTURE["staff"])
_facilitators = itertools.cycle(FIXTURE["facilitators"])
_links = itertools.cycle(random.Random(7).sample(FIXTURE["rsvp"], len(FIXTURE["rsvp"])))


class SignedIn(HttpUser):
    abstract = True
    wait_time = between(2, 6)

    def sign_in(self, me: dict) -> None:
        self.me = me
        self.client.cookies.set(FIXTURE["cookie_name"], me["session"])

    def page(self, url: str, name: str, **headers: str) -> None:
        with self.client.get(url, name=name, headers=headers, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            elif "/accounts/login/" in response.url:
                response.failure("signed out")
            else:
                response.success()

    def post(self, url: str, name: str, data: dict, expect: int, **headers: str) -> None:
        data = {"csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""), **data}
        with self.client.post(
            url, data=data, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code}")
            else:
                response.success()


class Staff(SignedIn):
    """Programme staff planning their programs."""

    weight = 40

    def on_start(self) -> None:
        self.sign_in(next(_staff))

    def program(self) -> int:
        return random.choice(self.me["programs"])

    def workshop(self) -> int:
        return random.choice(self.me["workshops"])

    @task(3)
    def home(self) -> None:
        self.page("/", "staff: home")

    @task(2)
    def dashboard(self) -> None:
        self.page(f"/programs/{self.program()}/dashboard/", "staff: program dashboard")

    @task(2)
    def program_page(self) -> None:
        self.page(f"/programs/{self.program()}/", "staff: program page")

    @task(4)
    def workshop_page(self) -> None:
        self.page(f"/workshops/{self.workshop()}/", "staff: workshop page")

    @task(2)
    def delegation(self) -> None:
        self.page(f"/workshops/{self.workshop()}/delegation/", "staff: delegation builder")

    @task(1)
    def delegation_search(self) -> None:
        query = random.choice(FIXTURE["searches"])
        self.page(f"/workshops/{self.workshop()}/delegation/?q={query}", "staff: delegation search")

    @task(2)
    def participants(self) -> None:
        self.page("/participants/", "staff: participant list")

    @task(2)
    def participant_search(self) -> None:
        query = random.choice(FIXTURE["searches"])
        self.page(f"/participants/?q={query}", "staff: participant search")

    @task(2)
    def calendar(self) -> None:
        month = random.choice(self.me["months"])
        self.page(f"/workshops/calendar/?month={month}", "staff: calendar month")

    @task(1)
    def calendar_list(self) -> None:
        self.page("/workshops/calendar/list/", "staff: calendar list")


class Facilitator(SignedIn):
    """A facilitator in and around their rooms."""

    weight = 30

    def on_start(self) -> None:
        self.sign_in(next(_facilitators))

    def room(self, markable: bool = False) -> dict:
        rooms = [r for r in self.me["workshops"] if r["markable"] or not markable]
        return random.choice(rooms or self.me["workshops"])

    @task(2)
    def home(self) -> None:
        self.page("/", "facilitator: home")

    @task(3)
    def mine(self) -> None:
        self.page("/workshops/mine/", "facilitator: my workshops")

    @task(3)
    def attendance(self) -> None:
        self.page(f"/workshops/{self.room()['pk']}/attendance/", "facilitator: attendance sheet")

    @task(4)
    def mark(self) -> None:
        room = self.room(markable=True)
        if not (room["markable"] and room["sessions"] and room["people"]):
            return
        session = random.choice(room["sessions"])
        self.page(f"/workshops/{room['pk']}/attendance/{session}/", "facilitator: session sheet")
        self.post(
            f"/workshops/{room['pk']}/attendance/{session}/mark/",
            "facilitator: mark present/absent (htmx)",
            {
                "participant": random.choice(room["people"]),
                "status": random.choice(["present", "present", "present", "absent"]),
            },
            expect=200,
            **{"HX-Request": "true"},
        )

    @task(2)
    def notes(self) -> None:
        self.page(f"/workshops/{self.room()['pk']}/notes/", "facilitator: workshop notes")

    @task(1)
    def all_notes(self) -> None:
        self.page("/workshops/notes/", "facilitator: all notes")

    @task(2)
    def note(self) -> None:
        room = self.room()
        if room["notes"]:
            self.page(f"/workshops/notes/{random.choice(room['notes'])}/", "facilitator: note")

    @task(1)
    def actions(self) -> None:
        self.page(f"/workshops/{self.room()['pk']}/actions/", "facilitator: workshop actions")

    @task(1)
    def my_actions(self) -> None:
        self.page("/workshops/actions/mine/", "facilitator: my actions")


class Participant(HttpUser):
    """Someone who got an invitation: opens the link, answers, reads what it means.
    Answers alternate between yes and no, so that capacity, the waitlist and the free
    place offered on a decline all run."""

    weight = 30
    wait_time = between(5, 15)

    def on_start(self) -> None:
        self.accept = random.random() < 0.5

    @task
    def answer(self) -> None:
        token = next(_links)
        url = f"/rsvp/{token}/"
        with self.client.get(url, name="rsvp: open the link", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                return
            response.success()
        self.accept = not self.accept
        data = {
            "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            "answer": "accept" if self.accept else "decline",
            "dietary": "vegetarian" if self.accept else "",
        }
        with self.client.post(
            url,
            data=data,
            name="rsvp: answer",
            headers={"Referer": self.host + url},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{response.status_code}")
                return
            response.success()
        self.client.get(f"/rsvp/{token}/answered/", name="rsvp: answered page")
