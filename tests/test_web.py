"""`pacefit serve` over HTTP: the pages a runner opens, and the safety rules (a size limit
enforced before the body is read, CSRF on every write, loopback without a password, names
that never become paths, concurrent uploads all kept)."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import multiprocessing
import os
import re
import shlex
import shutil
import signal
import socket
import zipfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from pacefit.jobs.log import add_athlete, read_plans_again
from pacefit.store.database import Store
from pacefit.web.app import create_app
from pacefit.web.server import Server, Settings, WorkerStopped

from .garmin_sdk import decode_checked
from .helpers import ATHLETE_FILE, ROOT, run_cli, write_athlete
from .log_server import (
    EASY_DAY,
    INTERVALS_DAY,
    RACE_DATE,
    database_url,
    running_server,
    simulated_run,
    week_plan,
)

TODAY = dt.date(2026, 11, 27)  # the Friday of the plan's week: its runs are done


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(database_url(tmp_path))
    add_athlete(opened, ATHLETE_FILE, plan_folder=week_plan(tmp_path), race_date=RACE_DATE)
    yield opened
    opened.close()


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    settings = Settings(workers=0, max_upload_bytes=2 * 1024 * 1024, today=lambda: TODAY)
    with TestClient(create_app(store, settings), base_url="http://127.0.0.1") as test_client:
        yield test_client


def csrf(client: TestClient) -> str:
    home = client.get("/athletes/1")
    found = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert found, home.text
    return found.group(1)


def upload(client: TestClient, *files: tuple[str, bytes], token: str | None) -> Any:
    headers = {"accept": "application/json"}
    if token is not None:
        headers["x-csrf-token"] = token
    return client.post(
        "/athletes/1/runs", files=[("runs", file) for file in files], headers=headers
    )


def test_an_upload_is_matched_scored_and_on_the_calendar(client: TestClient) -> None:
    token = csrf(client)
    data = simulated_run("10k/intervals-800.yaml", INTERVALS_DAY)
    answer = upload(client, ("800s.fit", data), token=token)
    assert answer.status_code == 200
    [result] = answer.json()["results"]
    assert result["ok"] and result["href"] == "/runs/1"
    assert re.fullmatch(r"W01 Thu 6x800m 5K-: score \d+", result["message"]), result
    home = client.get("/").text
    assert re.search(r'href="/runs/1" data-kind="[a-z-]+">6x800m 5K-<small>\d+', home)
    page = client.get("/runs/1")
    assert page.status_code == 200
    assert "W01 Thu on 2026-11-26" in page.text and "<h1>6x800m 5K-</h1>" in page.text


def test_a_copy_under_another_name_says_which_kept_file_it_is(client: TestClient) -> None:
    token = csrf(client)
    data = simulated_run("10k/intervals-800.yaml", INTERVALS_DAY)
    upload(client, ("800s.fit", data), token=token)
    [again] = upload(client, ("renamed.fit", data), token=token).json()["results"]
    assert again["file"] == "renamed.fit" and again["href"] == "/runs/1"
    assert re.fullmatch(
        r"already in the log as 800s\.fit: W01 Thu 6x800m 5K-: score \d+", again["message"]
    )


def test_the_page_of_a_copy_names_its_session_and_the_file_scored(client: TestClient) -> None:
    token = csrf(client)
    fit = simulated_run("10k/intervals-800.yaml", INTERVALS_DAY)
    gpx = simulated_run("10k/intervals-800.yaml", INTERVALS_DAY, kind="gpx")
    upload(client, ("800s.fit", fit), ("800s.gpx", gpx), token=token)
    page = client.get("/runs/2").text
    header = re.search(r'<p class="meta" id="run-session">(.+?)</p>', page)
    assert header is not None
    assert header.group(1).startswith("W01 Thu on 2026-11-26 · 800s.gpx (uploaded ")
    assert header.group(1).endswith(
        ' · the same run as <a href="/runs/1">800s.fit</a>, which is scored'
    )


def test_a_page_pacefit_cannot_make_says_so_in_its_words(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(workers=0, today=lambda: TODAY)
    app = create_app(store, settings)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        data = simulated_run("10k/intervals-800.yaml", INTERVALS_DAY)
        answer = upload(client, ("800s.fit", data), token=csrf(client))
        assert answer.status_code == 200

        def failing(*args: Any, **kwargs: Any) -> Any:
            raise ZeroDivisionError("float division by zero")

        monkeypatch.setattr("pacefit.web.runs.run_page", failing)
        page = client.get("/runs/1", headers={"accept": "text/html"})
        assert page.status_code == 500
        assert "pacefit could not make this page" in page.text
        assert "ZeroDivisionError" not in page.text and "Traceback" not in page.text
        assert client.get("/").status_code == 200  # the rest of the log is there


def test_a_post_without_the_csrf_token_is_refused(client: TestClient, store: Store) -> None:
    csrf(client)  # the browser has its cookie; the forged request cannot send the token
    data = simulated_run("easy/easy-run.yaml", EASY_DAY)
    assert upload(client, ("easy.fit", data), token=None).status_code == 403
    assert upload(client, ("easy.fit", data), token="x" * 43).status_code == 403
    assert store.run_count() == 0


def test_an_upload_over_the_limit_is_refused_with_413(client: TestClient, store: Store) -> None:
    token = csrf(client)
    answer = upload(client, ("big.fit", b"\0" * (3 * 1024 * 1024)), token=token)
    assert answer.status_code == 413
    assert answer.text == "the upload is over the limit of 2 MB"
    assert store.run_count() == 0


def test_a_refused_file_gets_its_one_line_reason_and_nothing_is_kept(
    client: TestClient, store: Store
) -> None:
    answer = upload(client, ("notes.fit", b"my training notes"), token=csrf(client))
    assert answer.status_code == 422
    [result] = answer.json()["results"]
    assert result == {
        "file": "notes.fit",
        "ok": False,
        "message": "this is not a run file pacefit reads: it is neither FIT nor GPX nor TCX",
        "href": None,
        "new": False,
    }
    page = client.post(
        "/athletes/1/runs",
        files=[("runs", ("notes.fit", b"my training notes"))],
        headers={"x-csrf-token": csrf(client)},
    )
    assert "notes.fit: this is not a run file pacefit reads" in page.text  # the name once
    assert store.run_count() == 0


def test_a_refused_file_says_where_in_it_the_mistake_is(client: TestClient) -> None:
    gpx = b'<?xml version="1.0"?>\n<gpx version="1.1">\n<trk><trkseg>\n<trkpt lat=1>\n</gpx>\n'
    answer = upload(client, ("track.gpx", gpx), token=csrf(client))
    [result] = answer.json()["results"]
    assert re.fullmatch(r"line 4, column \d+: .+", result["message"]), result["message"]
    assert "track.gpx" not in result["message"]


def test_the_kind_of_file_is_told_by_its_content(client: TestClient) -> None:
    gpx = simulated_run("easy/easy-run.yaml", EASY_DAY, kind="gpx")
    answer = upload(client, ("easy.fit", gpx), token=csrf(client))
    assert answer.json()["results"][0]["message"].startswith("W01 Tue Easy run 8km")


def test_a_worker_that_died_is_replaced_and_the_next_upload_is_kept(
    store: Store, tmp_path: Path
) -> None:
    settings = Settings(workers=1, today=lambda: TODAY)
    with TestClient(create_app(store, settings), base_url="http://127.0.0.1") as client:
        easy = simulated_run("easy/easy-run.yaml", EASY_DAY)
        assert upload(client, ("easy.fit", easy), token=csrf(client)).status_code == 200
        [worker] = multiprocessing.active_children()
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGKILL)  # as the kernel's out-of-memory killer would
        worker.join()
        intervals = simulated_run("10k/intervals-800.yaml", INTERVALS_DAY)
        answer = upload(client, ("intervals.fit", intervals), token=csrf(client))
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"][0]["message"].startswith("W01 Thu")
    assert store.run_count() == 2


def test_a_worker_that_dies_on_every_try_is_one_line_and_the_server_goes_on(
    store: Store,
) -> None:
    server = Server(store, Settings(workers=1))
    server.start_pool()
    try:
        with pytest.raises(WorkerStopped, match="stopped before it answered"):
            server.run_in(os._exit, 1)  # the worker dies on the job itself, twice
        assert server.run_in(abs, -3) == 3  # a fresh pool takes the next job
    finally:
        server.stop_pool()


def test_a_file_name_is_never_a_path(
    client: TestClient, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = set(tmp_path.rglob("*"))
    data = simulated_run("easy/easy-run.yaml", EASY_DAY)
    answer = upload(client, ("../../x<b>.fit", data), token=csrf(client))
    assert answer.json()["results"][0]["file"] == "x<b>.fit"
    assert not list(tmp_path.parent.parent.glob("x*.fit"))
    assert {p for p in tmp_path.rglob("*") if "log.sqlite" not in p.name} == {
        p for p in before if "log.sqlite" not in p.name
    }
    assert [run.file_name for run in store.runs(1)] == ["x<b>.fit"]
    assert "x&lt;b&gt;.fit" in client.get("/runs/1").text  # escaped, not markup


def test_the_plans_files_download(store: Store) -> None:
    monday = dt.date(2026, 11, 23)  # before the week: its sessions are all to come
    settings = Settings(workers=0, today=lambda: monday)
    with TestClient(create_app(store, settings), base_url="http://127.0.0.1") as client:
        _the_plans_files_download(client)


def _the_plans_files_download(client: TestClient) -> None:
    fit = client.get("/athletes/1/sessions/1/workout?format=fit")
    assert fit.status_code == 200
    assert "2026-11-26_w01-thu_6x800m-5k.fit" in fit.headers["content-disposition"]
    [workout] = decode_checked(fit.content)["workout_mesgs"]
    assert workout["wkt_name"] == "W01 Thu 6x800m 5K-"
    week = client.get("/athletes/1/next.zip?weeks=1&format=zwo")
    names = zipfile.ZipFile(BytesIO(week.content)).namelist()
    assert names == ["2026-11-24_w01-tue_easy-run-8km.zwo", "2026-11-26_w01-thu_6x800m-5k.zwo"]
    ics = client.get("/athletes/1/plan.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert "SUMMARY:W01 Thu 6x800m 5K-" in ics.text
    assert client.get("/athletes/1/next.zip?weeks=99").status_code == 400


def test_the_paces_page_shows_the_athletes_paces(client: TestClient) -> None:
    page = client.get("/athletes/1/paces").text
    assert "VDOT" in page and "threshold (T)" in page


def test_a_coach_sees_a_row_per_athlete(store: Store, client: TestClient, tmp_path: Path) -> None:
    other = write_athlete(tmp_path, "name: Alex Other\nraces: {10k: '50:00'}\n")
    add_athlete(store, other, plan_folder=None, race_date=None)
    page = client.get("/").text
    assert re.search(r'data-athlete="Alex Other">.*?no plan', page, re.S)
    assert re.search(r'data-athlete="Sam Example">.*?One week</td>\s*<td>0 of 2</td>', page, re.S)


def test_an_athlete_whose_plan_folder_is_gone_does_not_stop_the_coach(
    store: Store, client: TestClient, tmp_path: Path
) -> None:
    other = write_athlete(tmp_path, "name: Alex Other\nraces: {10k: '50:00'}\n")
    moved = week_plan(tmp_path / "alex")
    add_athlete(store, other, plan_folder=moved, race_date=RACE_DATE)
    shutil.rmtree(moved)
    read_plans_again()  # as after a restart: plans are read once per process
    coach = client.get("/")
    assert coach.status_code == 200
    assert re.search(r'data-athlete="Alex Other">.*?the plan could not be read: ', coach.text, re.S)
    assert re.search(r'data-athlete="Sam Example">.*?One week</td>', coach.text, re.S)
    assert "the week of Monday 2026-11-23" in coach.text
    page = client.get("/athletes/2")
    assert page.status_code == 200 and "every run is kept, unscored" in page.text
    url = store.engine.url.render_as_string(hide_password=False)
    rescored = run_cli("log", "rescore", "--db", url)
    assert rescored.exit_code == 1
    assert rescored.stderr.startswith("Alex Other: the plan could not be read (")


def test_an_athlete_without_a_plan_and_a_run_in_no_session_have_their_pages(
    store: Store, client: TestClient, tmp_path: Path
) -> None:
    other = write_athlete(tmp_path, "name: Alex Other\nraces: {10k: '50:00'}\n")
    add_athlete(store, other, plan_folder=None, race_date=None)
    token = csrf(client)
    gpx = simulated_run("easy/easy-run.yaml", EASY_DAY, kind="gpx")
    answer = client.post(
        "/athletes/2/runs",
        files=[("runs", ("alex.gpx", gpx))],
        headers={"accept": "application/json", "x-csrf-token": token},
    )
    assert answer.json()["results"][0]["message"] == ("kept as a run not in the plan (2026-11-24)")
    page = client.get("/athletes/2").text
    assert "no plan: every run is kept as it is" in page
    assert re.search(r'<a href="/runs/1">alex.gpx</a> 2026-11-24 \d+\.\d\d km', page)
    run_page = client.get("/runs/1").text
    assert "a run not in the plan" in run_page and "Run (not in the plan)" in run_page


def test_a_run_outside_the_block_links_to_its_page(client: TestClient) -> None:
    before = simulated_run("easy/easy-run.yaml", dt.date(2026, 11, 10))  # before the plan
    answer = upload(client, ("before.fit", before), token=csrf(client))
    assert answer.json()["results"][0]["href"] == "/runs/1"
    home = client.get("/").text
    assert 'not in the plan: <a href="/runs/1">before.fit</a> (2026-11-10' in home


def test_a_form_sent_without_a_file_or_with_an_empty_one_says_so(client: TestClient) -> None:
    token = csrf(client)
    # a browser without JavaScript sends one part with no name and no bytes
    nothing = client.post(
        "/athletes/1/runs",
        data={"csrf_token": token},
        files=[("runs", ("", b"", "application/octet-stream"))],
        headers={"accept": "text/html"},
    )
    assert nothing.status_code == 400
    assert "no file was sent: choose one or more runs" in nothing.text
    [empty] = upload(client, ("empty.fit", b""), token=token).json()["results"]
    assert (empty["ok"], empty["message"]) == (False, "the file is empty")


def test_what_the_log_does_not_have_is_not_found(client: TestClient) -> None:
    assert client.get("/athletes/9").status_code == 404
    assert client.get("/runs/9").status_code == 404
    assert client.get("/athletes/1/sessions/99/workout").status_code == 404
    # an id no database column holds (a hand-typed address), not a failure of the page
    huge = 2**63
    for address in (f"/runs/{huge}", f"/athletes/{huge}", f"/athletes/{2**31}/paces"):
        assert client.get(address).status_code == 404, address
    answer = client.get("/athletes/9", headers={"accept": "text/html"})
    assert '<p id="error">there is no athlete 9 in the log</p>' in answer.text
    token = csrf(client)
    answer = client.post(
        "/athletes/9/runs",
        files=[("runs", ("x.fit", b"..."))],
        headers={"accept": "application/json", "x-csrf-token": token},
    )
    assert answer.status_code == 404


def test_no_answer_can_be_framed_or_sniffed(client: TestClient) -> None:
    token = csrf(client)
    answers = [
        client.get("/"),
        client.get("/runs/9"),  # 404
        client.get("/", headers={"host": "rebind.example"}),  # 400, refused outside the app
        upload(client, ("big.fit", b"\0" * (3 * 1024 * 1024)), token=token),  # 413
    ]
    for answer in answers:
        assert answer.headers["x-frame-options"] == "DENY", answer.status_code
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]


def test_a_page_reached_by_another_name_is_refused(client: TestClient) -> None:
    """DNS rebinding: a site whose name now points at 127.0.0.1 cannot read or write."""
    assert client.get("/", headers={"host": "rebind.example:8000"}).status_code == 400
    assert client.get("/", headers={"host": "localhost:8000"}).status_code == 200


def test_listening_beyond_this_computer_needs_a_password(tmp_path: Path) -> None:
    result = run_cli("serve", "--db", tmp_path / "log.sqlite", "--host", "0.0.0.0")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "error: refusing to listen on 0.0.0.0 without a password: anyone who can reach it "
        "would see and change the log"
    )
    assert not (tmp_path / "log.sqlite").exists()


def test_a_password_is_asked_of_every_request(store: Store) -> None:
    settings = Settings(workers=0, password="s3cret", today=lambda: TODAY)
    with TestClient(create_app(store, settings), base_url="http://127.0.0.1") as test_client:
        assert test_client.get("/").status_code == 401
        assert test_client.get("/", auth=("coach", "wrong")).status_code == 401
        assert test_client.get("/", auth=("coach", "s3cret")).status_code == 200


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("server")
    db = database_url(folder)
    plan = ["--athlete", str(ATHLETE_FILE), "--plan", str(week_plan(folder))]
    args = [*plan, "--race-date", str(RACE_DATE), "--max-upload-mb", "1", "--workers", "2"]
    with running_server(db, *args) as url:
        yield url, db


def test_an_oversize_upload_is_refused_before_it_is_read(server: tuple[str, str]) -> None:
    """The server answers 413 to the headers alone: the 60 MB body is never sent."""
    url, _ = server
    port = int(url.rpartition(":")[2])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(
            b"POST /athletes/1/runs HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            b"Content-Length: 60000000\r\n\r\n--x\r\n"
        )
        received = b""
        while chunk := connection.recv(4096):  # the server closes once it has answered
            received += chunk
        answer = received.decode()
    assert answer.startswith("HTTP/1.1 413 ")
    assert answer.endswith("the upload is over the limit of 1 MB")


def test_a_post_from_another_site_is_refused_before_its_body_is_read(
    server: tuple[str, str],
) -> None:
    """No cookie, so no token can match: 403 to the headers alone, within the size limit."""
    url, _ = server
    port = int(url.rpartition(":")[2])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(
            b"POST /athletes/1/runs HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            b"Content-Length: 900000\r\n\r\n--x\r\n"
        )
        received = b""
        while chunk := connection.recv(4096):
            received += chunk
            if b"reload the page" in received:
                break
    assert received.decode().startswith("HTTP/1.1 403 ")


def test_twenty_uploads_at_once_are_all_kept(server: tuple[str, str]) -> None:
    url, db = server
    with httpx.Client(base_url=url, timeout=120) as session:
        session.get("/")
        token = session.cookies["pacefit_csrf"]
        runs = [  # GPX: twenty FIT files take a minute to write
            (f"run-{k}.gpx", simulated_run("easy/easy-run.yaml", EASY_DAY, kind="gpx", hour=k))
            for k in range(20)
        ]

        def send(file: tuple[str, bytes]) -> int:
            answer = session.post(
                "/athletes/1/runs",
                files=[("runs", file)],
                headers={"x-csrf-token": token, "accept": "application/json"},
            )
            return answer.status_code

        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            statuses = list(pool.map(send, runs))
    assert statuses == [200] * 20
    opened = Store.open(db)
    try:
        assert sorted(r.file_name for r in opened.runs(1)) == sorted(name for name, _ in runs)
    finally:
        opened.close()


def test_the_readmes_one_line_start_shows_the_bundled_run(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## The training log: `pacefit serve`", 1)[1]
    line = section.split("```sh\n", 1)[1].split("\n```", 1)[0]
    importing, serving = (shlex.split(part) for part in line.split(" && "))
    db = database_url(tmp_path)
    assert serving == ["pacefit", "serve", "--db", "log.sqlite"]
    swapped = [
        db if arg == "log.sqlite" else str(ROOT / arg) if "/" in arg else arg for arg in importing
    ]
    assert run_cli(*swapped[1:], env={"PACEFIT_TODAY": "2026-12-05"}).exit_code == 0
    with running_server(db, today="2026-12-05") as url:
        home = httpx.get(url, timeout=60).text
    assert re.search(
        r'href="/runs/1" data-kind="moved">Tempo 2x10min<small>19 · 2 slow · run a day late', home
    )
