"""Stories in chromium, on a desktop and on a 390 x 844 phone, every page audited by axe:
a citizen registers, is told to confirm the email before voting (and has the link sent
again), confirms it, proposes a project, casts an approval and a knapsack ballot, changes one
and checks the receipt; an official reviews the proposal, closes voting and publishes the
results; the citizen reads the MES explanation and the chart's table."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.db import db, utcnow
from tests.browser.helpers import STAFF_PASSWORD, audit, emailed_link, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
expect = pytest.importorskip("playwright.sync_api").expect


def make_budget(app, title, *, vote_type, phase, budget, projects):
    """A public binding process owned by the demo official; `projects` are (name, cost,
    category). Returns its id."""
    from accounts.models import User
    from core.process import Audience, Commitment
    from pb.models import BudgetProcess, BudgetProject

    with app.app_context():
        official = db.session.scalar(select(User).where(User.email == "official@example.org"))
        process = BudgetProcess(title=title, commitment=Commitment.BINDING,
                                audience=Audience.PUBLIC, currency="EUR", owner_id=official.id)
        process.set_rules(budget=budget, vote_type=vote_type, rule="mes")
        process.projects = [BudgetProject(project_id=str(n), name=name, cost=cost,
                                          category=category)
                            for n, (name, cost, category) in enumerate(projects, start=1)]
        db.session.add(process)
        process.move_to(phase, now=utcnow())
        db.session.commit()
        process_id = process.id
        db.session.remove()
    return process_id


def register_and_confirm(page, live, *, name, address, password, ballot=None):
    """Register, log in and confirm the address from the outbox. With `ballot` (a ballot
    path), first try to vote unconfirmed: the page says why and sends the link again."""
    page.goto(live.url + "/")
    audit(page)
    page.get_by_role("link", name="Register").click()
    audit(page)
    page.get_by_role("button", name="Create account").click()  # empty: errors announced
    audit(page)
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()  # read out at once; each message links to its field
    expect(summary.get_by_role("link")).to_have_count(3)
    email = page.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    error = page.locator("#" + email.get_attribute("aria-describedby").split()[0])
    expect(error).to_be_visible()
    summary.get_by_role("link").nth(1).click()
    expect(email).to_be_focused()
    page.get_by_label("Display name").fill(name)
    email.fill(address)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status")).to_contain_text("We sent a confirmation link")
    audit(page)
    log_in(page, live.url, address, password)
    audit(page)
    if ballot is not None:
        page.goto(live.url + ballot)
        expect(page.locator("main")).to_contain_text("Confirm your email address to vote")
        expect(page.locator("#pb-ballot")).to_have_count(0)
        audit(page)
        page.get_by_role("button", name="Send the confirmation link again").click()
        page.wait_for_url(re.compile(re.escape(ballot) + "$"))
        expect(page.get_by_role("status")).to_contain_text("We sent a new confirmation link")
        audit(page)
    page.goto(emailed_link(live.app, address, "/confirm/"))
    audit(page)
    page.get_by_role("button", name=re.compile("^Confirm")).click()
    expect(page.get_by_role("status")).to_contain_text("Your email address is confirmed.")
    audit(page)


def review_and_confirm(page, *, chosen=()) -> str:
    """Send the ballot on the page to review, check the `chosen` project names are listed,
    confirm it and return the receipt code; every page on the way is audited."""
    page.get_by_role("button", name="Review my ballot").click()
    audit(page)
    choices = page.get_by_role("table", name="Your choices")
    for name in chosen:
        expect(choices).to_contain_text(name)
    page.get_by_role("button", name="Confirm my ballot").click()
    page.wait_for_url(re.compile(r".*/budgets/receipt/.*"))
    audit(page)
    code = page.locator(".receipt-code").inner_text()
    assert code
    return code


def test_a_citizen_proposes_votes_and_reads_the_results(browse, live, device):
    from pb.models import Phase

    approval = make_budget(live.app, f"Harbour budget ({device})", vote_type="approval",
                           phase=Phase.PROPOSALS, budget=1_000_000, projects=[
                               ("Harbour benches", 200_000, "streets"),
                               ("Floating pool", 900_000, "sport")])
    knapsack = make_budget(live.app, f"Hill budget ({device})", vote_type="knapsack",
                           phase=Phase.VOTING, budget=1_000_000, projects=[
                               ("Trees on Oak Road", 600_000, "green"),
                               ("Skate park", 500_000, "sport"),
                               ("Book swap boxes", 100_000, "culture")])
    citizen = browse(device)
    email, password = f"nia-{device}@example.org", "a long citizen passphrase"
    register_and_confirm(citizen, live, name=f"Nia {device}", address=email,
                         password=password, ballot=f"/budgets/{knapsack}/ballot")

    # The citizen proposes a project.
    citizen.goto(f"{live.url}/budgets/{approval}")
    audit(citizen)
    citizen.goto(f"{live.url}/budgets/{approval}/proposals/new")
    audit(citizen)
    citizen.get_by_label("Title").fill("Drinking fountain on the quay")
    citizen.get_by_label("Description").fill("Free water for walkers and cyclists.")
    citizen.get_by_label("Estimated cost (whole currency units)").fill("1500")
    citizen.get_by_role("button", name=re.compile("^(Send|Submit|Propose)")).click()
    if citizen.get_by_label("My proposal is different from the similar ones").count():
        audit(citizen)
        citizen.get_by_label("My proposal is different from the similar ones").check()
        citizen.get_by_role("button", name=re.compile("^(Send|Submit|Propose)")).click()
    expect(citizen.get_by_role("status")).to_contain_text("your proposal will be reviewed")
    audit(citizen)

    # The official finds it feasible at its final cost and opens voting.
    official = browse(device)
    log_in(official, live.url, "official@example.org", STAFF_PASSWORD)
    audit(official)
    official.goto(f"{live.url}/budgets/{approval}/manage")
    audit(official)
    card = official.locator("form", has_text="Drinking fountain on the quay")
    card.get_by_label("Decision").select_option("feasible")
    card.get_by_label("Final cost (whole currency units)").fill("1800")
    card.get_by_role("button", name="Record the decision").click()
    audit(official)
    expect(official.get_by_text("No proposal awaits review.")).to_be_visible()
    official.get_by_role("button", name=re.compile("^Move to: Voting")).click()
    audit(official)

    # An approval ballot with the citizen's own project, changed once.
    citizen.goto(f"{live.url}/budgets/{approval}/ballot")
    audit(citizen)
    citizen.get_by_label("Drinking fountain on the quay").check()
    citizen.get_by_label("Harbour benches").check()
    first_code = review_and_confirm(citizen, chosen=("Drinking fountain on the quay",
                                                     "Harbour benches"))
    citizen.goto(f"{live.url}/budgets/{approval}/ballot")  # the stored ballot is shown
    audit(citizen)
    expect(citizen.get_by_label("Harbour benches")).to_be_checked()
    citizen.get_by_label("Harbour benches").uncheck()
    citizen.get_by_label("Floating pool").check()
    code = review_and_confirm(citizen, chosen=("Drinking fountain on the quay",
                                               "Floating pool"))
    citizen.goto(f"{live.url}/budgets/receipt")
    audit(citizen)
    citizen.get_by_role("textbox").fill(code)
    citizen.get_by_role("button", name=re.compile("^Check")).click()
    audit(citizen)
    main = citizen.locator("main")
    expect(main).to_contain_text(f"Harbour budget ({device})")
    assert code == first_code  # a changed ballot keeps its receipt

    # A knapsack ballot: the bar follows every choice and says when it is over budget.
    citizen.goto(f"{live.url}/budgets/{knapsack}/ballot")
    audit(citizen)
    bar = citizen.locator("#pb-bar")
    citizen.get_by_label("Trees on Oak Road").check()
    expect(bar).to_have_js_property("value", 600_000)
    expect(citizen.locator("#pb-spent-text")).to_contain_text("€6,000.00")
    citizen.get_by_label("Skate park").check()
    expect(citizen.locator("#pb-ballot")).to_have_class(re.compile("pb-over"))
    expect(citizen.locator("#pb-spent-text")).to_contain_text("€11,000.00")
    audit(citizen)
    citizen.get_by_role("button", name="Review my ballot").click()  # the server says why
    expect(citizen.locator("#ballot-errors")).to_contain_text("more than the budget")
    audit(citizen)
    citizen.get_by_label("Show category").select_option("culture")
    expect(citizen.get_by_label("Trees on Oak Road")).to_be_hidden()
    citizen.get_by_label("Show category").select_option("")
    citizen.get_by_label("Skate park").uncheck()
    citizen.get_by_label("Book swap boxes").check()
    expect(bar).to_have_js_property("value", 700_000)
    review_and_confirm(citizen, chosen=("Trees on Oak Road", "Book swap boxes"))

    # The official closes voting; the results are computed and published.
    official.goto(f"{live.url}/budgets/{approval}/manage")
    audit(official)
    official.get_by_role("button", name=re.compile("^Move to: Results")).click()
    audit(official)

    citizen.goto(f"{live.url}/budgets/{approval}/results")
    audit(citizen)
    expect(main).to_contain_text("from 1 ballots")
    expect(citizen.get_by_role("heading", name="Why each project won")).to_be_visible()
    expect(main).to_contain_text("Every voter started with an equal share of the budget")
    funded = citizen.get_by_role("table", name="Funded projects, in the order the rule chose them")
    expect(funded.locator("tbody tr").first).to_be_visible()
    # The charts are drawn for sighted readers; their numbers are in tables beside them.
    covered = citizen.get_by_role("table", name="Voters with at least one supported project funded")
    expect(covered).to_contain_text("1 / 1")
