"""Build ``mock_flowservice/data/explore_samples.json``, the data behind ``/explore``.

Run ``python tools/build_explore_samples.py`` from the repository root. The output is fully
determined by :data:`SEED` and :data:`NAMESPACE`: running it twice writes the same bytes, so the
committed JSON can be regenerated and diffed. The app only ever loads the JSON.

Everything here is invented: people, companies and e-mail addresses are fake and every domain is
an example domain (``example.com``/``.org``/``.net``, RFC 2606). Table and column names follow
Microsoft Dynamics 365 logical names; the table list is the one the Flow Service docs show.

Dynamics sample (rows per object, fixed): account 12, contact 24, lead 15, opportunity 18,
systemuser 10, connection 40, campaign 25, list 25, listmember 150 (list sizes cycle 2/4/6/8/10),
systemuserlicenses 3, workflowdependency 3, msdyn_solutioncomponentsummary 3,
msdyn_quoteinvoicingproduct 2, customeropportunityrole 3; views accountView1 (the contacts of
active accounts), Inactive_ACC_custom (inactive accounts) and ``Contacts with name TIM`` (8 saved
views). The column names of contact, lead, account, opportunity, connection, campaign, list and
listmember include every name the Dynamics mapping page lists; ``connectionrole1.name`` is kept
with its dot. The nine main tables carry ``createdon`` and ``modifiedon`` (``modifiedon`` never
earlier), formatted ``yyyy-MM-ddTHH:mm:ssZ``, the delta column format documented for Dynamics.
The view ``Contacts with name TIM`` has the documented view columns ``name``, ``fetchxml``,
``querytype`` and ``userqueryid`` (with the lower-case originalType and the xdm block the page
shows); accountView1 has the documented preview columns ``contactid``, ``fullname`` and
``emailaddress1``. Both views add ``modifiedon`` (our choice, so a view can be ingested
incrementally).

Rows are stored as arrays aligned with ``columns`` to keep the file small; ``explore.py`` turns
them into objects keyed by column name.
"""

from __future__ import annotations

import argparse
import json
import random
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SEED = 20240517
NAMESPACE = uuid.UUID("6f1c9a52-3a0e-5d7b-9c41-0d2e8a7b5f10")
DYNAMICS_SPEC_ID = "38ad80fe-8b06-4938-94f4-d4ee80266b07"
OUT = Path(__file__).resolve().parents[1] / "mock_flowservice" / "data" / "explore_samples.json"
EPOCH = datetime(2023, 1, 2, 9, 0, 0, tzinfo=UTC)

Row = dict[str, Any]
INT32 = {"type": "integer", "minimum": -2147483648, "maximum": 2147483647}

#: originalType -> (served "type", xdm block or None)
TYPES: dict[str, tuple[str, dict[str, Any] | None]] = {
    "String": ("string", None),
    "Guid": ("string", None),
    "Lookup": ("string", None),
    "Int": ("integer", INT32),
    "Money": ("double", {"type": "number"}),
    "Double": ("double", {"type": "number"}),
    "Decimal": ("double", {"type": "number"}),
    "Boolean": ("boolean", {"type": "boolean"}),
    "DateTime": ("string", {"type": "string", "format": "date-time"}),
    # Lower-case spellings of the documented Dynamics view columns (they carry xdm as well).
    "string": ("string", {"type": "string"}),
    "guid": ("string", {"type": "string"}),
    "int": ("integer", INT32),
}

FIRST = [
    "Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Harper", "Jordan", "Kendall",
    "Logan", "Morgan", "Parker", "Quinn", "Reese", "Riley", "Rowan", "Sawyer", "Taylor",
]  # fmt: skip
LAST = [
    "Ashford", "Brightwater", "Cobble", "Dunmore", "Ellery", "Fairbank", "Greywood", "Hollis",
    "Ingram", "Juniper", "Kestrel", "Larkspur", "Marlow", "Northcote", "Oakridge", "Pemberton",
]  # fmt: skip
COMPANIES = [
    "Example Widgets", "Sample Outfitters", "Placeholder Logistics", "Demo Dynamics Labs",
    "Fictional Foods", "Mockingbird Media", "Testbed Manufacturing", "Dummy Data Partners",
    "Imaginary Insurance", "Specimen Software", "Prototype Power", "Stand-in Studios",
]  # fmt: skip
CITIES = [("Springfield", "US"), ("Riverton", "US"), ("Lakeside", "CA"), ("Hillview", "GB"),
          ("Brookfield", "AU"), ("Fairview", "DE")]  # fmt: skip
TITLES = ["Sales Manager", "Account Executive", "Buyer", "Operations Lead", "CFO", "IT Director"]
STEPS = ["1-Qualify", "2-Develop", "3-Propose", "4-Close"]


def guid(table: str, index: int) -> str:
    """A stable GUID for row ``index`` of ``table``."""
    return str(uuid.uuid5(NAMESPACE, f"{table}:{index}"))


def stamp(rng: random.Random, max_days: int = 500) -> str:
    moment = EPOCH + timedelta(days=rng.randrange(max_days), seconds=rng.randrange(86400))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def later(base: str, rng: random.Random) -> str:
    moment = datetime.strptime(base, "%Y-%m-%dT%H:%M:%SZ") + timedelta(days=rng.randrange(1, 90))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def column(name: str, original: str) -> dict[str, Any]:
    served, xdm = TYPES[original]
    col: dict[str, Any] = {"name": name, "type": served, "meta": {"originalType": original}}
    if original == "DateTime":
        col["meta:xdmType"] = "date-time"
    if xdm is not None:
        col["xdm"] = dict(xdm)
    return col


def table(
    kind: str, name: str, path: str, cols: Sequence[tuple[str, str]], rows: Sequence[Row]
) -> dict[str, Any]:
    names = [c for c, _ in cols]
    return {
        "type": kind,
        "name": name,
        "path": path,
        "columns": [column(c, t) for c, t in cols],
        "rows": [[row.get(c) for c in names] for row in rows],
    }


STREETS = ["Maple Avenue", "Harbor Road", "Station Street", "Orchard Lane", "Mill Road",
           "Church Street", "Park Drive", "Bridge Street"]  # fmt: skip
#: city -> (country, county, state or province, postal code prefix, latitude, longitude)
PLACES: dict[str, tuple[str, str, str, str, float, float]] = {
    "Springfield": ("US", "Greene", "MO", "658", 37.21, -93.29),
    "Riverton": ("US", "Fremont", "WY", "825", 43.02, -108.38),
    "Lakeside": ("CA", "Kings", "NS", "B3T", 44.63, -63.71),
    "Hillview": ("GB", "Kent", "England", "CT1", 51.28, 1.08),
    "Brookfield": ("AU", "Moreton Bay", "QLD", "450", -27.49, 152.91),
    "Fairview": ("DE", "Bavaria", "BY", "803", 48.14, 11.58),
}
MIDDLE = ["A.", "J.", "L.", "M.", "R.", None, None, None]
SALUTATIONS = ["Mr.", "Ms.", "Dr.", "Mx.", None]
SUFFIXES = [None, None, None, None, "Jr.", "III"]
DEPARTMENTS = ["Sales", "Finance", "Procurement", "Operations", "IT", "Marketing"]
CAMPAIGN_THEMES = [
    "Spring Launch", "Summer Webinar Series", "Autumn Trade Show", "Winter Renewal",
    "Partner Roadshow", "Product Tour", "Loyalty Drive", "Customer Summit",
]  # fmt: skip
ROLE_NAMES = ["Decision Maker", "Influencer", "Technical Buyer", "Economic Buyer", "Champion",
              "Stakeholder"]  # fmt: skip
#: Dynamics object type codes used by ``list.createdfromcode`` and ``connection``.
ACCOUNT_CODE, CONTACT_CODE, OPPORTUNITY_CODE, LEAD_CODE = 1, 2, 3, 4
LIST_SIZES = (2, 4, 6, 8, 10)  # cycled over the lists: 25 lists -> 150 list members


def person(rng: random.Random, domain: str) -> Row:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return {
        "firstname": first,
        "middlename": rng.choice(MIDDLE),
        "lastname": last,
        "fullname": f"{first} {last}",
        "salutation": rng.choice(SALUTATIONS),
        "suffix": rng.choice(SUFFIXES),
        "emailaddress1": f"{first.lower()}.{last.lower()}@{domain}",
        "emailaddress2": f"{first[0].lower()}{last.lower()}@mail.{domain}",
        "telephone1": f"+1 555 01{rng.randrange(100):02d}",
        "mobilephone": f"+1 555 02{rng.randrange(100):02d}",
    }


def address(rng: random.Random, table: str, index: int, city: str | None = None) -> Row:
    """The ``address1_*`` block of a contact, lead or account."""
    city = city or rng.choice(sorted(PLACES))
    country, county, state, postal, lat, lon = PLACES[city]
    return {
        "address1_addressid": guid(f"{table}-address1", index),
        "address1_line1": f"{rng.randrange(1, 400)} {rng.choice(STREETS)}",
        "address1_line2": rng.choice([None, None, f"Suite {rng.randrange(100, 999)}"]),
        "address1_line3": None,
        "address1_city": city,
        "address1_county": county,
        "address1_stateorprovince": state,
        "address1_postalcode": f"{postal}{rng.randrange(10, 99)}",
        "address1_postofficebox": rng.choice([None, None, f"PO {rng.randrange(100, 9999)}"]),
        "address1_country": country,
        "address1_latitude": round(lat + rng.uniform(-0.05, 0.05), 5),
        "address1_longitude": round(lon + rng.uniform(-0.05, 0.05), 5),
    }


def users(rng: random.Random) -> list[Row]:
    rows = []
    for i in range(10):
        p = person(rng, "example.com")
        rows.append({
            "systemuserid": guid("systemuser", i),
            "firstname": p["firstname"],
            "lastname": p["lastname"],
            "fullname": p["fullname"],
            "internalemailaddress": p["emailaddress1"],
            "domainname": p["emailaddress1"],
            "title": rng.choice(TITLES),
            "businessunitid": guid("businessunit", 0),
            "isdisabled": i == 9,
            "createdon": stamp(rng, 30),
        })  # fmt: skip
    return rows


def accounts(rng: random.Random, owners: list[Row]) -> list[Row]:
    rows = []
    for i, company in enumerate(COMPANIES):
        city, _ = CITIES[i % len(CITIES)]
        created = stamp(rng)
        rows.append({
            "accountid": guid("account", i),
            "name": company,
            "accountnumber": f"ACC-{10001 + i}",
            "accountratingcode": 1,
            "description": f"{company} is a fictional customer of the sample organisation.",
            "emailaddress1": f"info@{slug(company)}.example.com",
            "telephone1": f"+1 555 01{i:02d}",
            "fax": f"+1 555 03{i:02d}",
            "websiteurl": f"https://{slug(company)}.example.com",
            "tickersymbol": slug(company)[:4].upper(),
            "sic": f"{rng.randrange(1000, 9999)}",
            "address1_name": "Head office",
            **address(rng, "account", i, city),
            "industrycode": rng.randrange(1, 34),
            "numberofemployees": rng.randrange(5, 5000),
            "revenue": float(rng.randrange(50, 90000) * 1000),
            "ownerid": rng.choice(owners)["systemuserid"],
            "primarycontactid": None,
            "statecode": 1 if i % 5 == 4 else 0,
            "createdon": created,
            "modifiedon": later(created, rng),
        })  # fmt: skip
    return rows


def contacts(rng: random.Random, accts: list[Row]) -> list[Row]:
    rows = []
    for i in range(24):
        account = accts[i % len(accts)]
        p = person(rng, "example.org")
        created = stamp(rng)
        rows.append({
            "contactid": guid("contact", i),
            **p,
            "jobtitle": rng.choice(TITLES),
            "department": rng.choice(DEPARTMENTS),
            "assistantname": rng.choice([None, f"{rng.choice(FIRST)} {rng.choice(LAST)}"]),
            "assistantphone": rng.choice([None, f"+1 555 04{rng.randrange(100):02d}"]),
            **address(rng, "contact", i, account["address1_city"]),
            "parentcustomerid": account["accountid"],
            "ownerid": account["ownerid"],
            "gendercode": rng.choice([1, 2, None]),
            "donotemail": rng.random() < 0.2,
            "birthdate": f"{rng.randrange(1960, 2000)}-{rng.randrange(1, 13):02d}-"
            f"{rng.randrange(1, 29):02d}T00:00:00Z",
            "statecode": 0,
            "createdon": created,
            "modifiedon": later(created, rng),
        })  # fmt: skip
        if account["primarycontactid"] is None:
            account["primarycontactid"] = rows[-1]["contactid"]
    return rows


def leads(rng: random.Random, owners: list[Row]) -> list[Row]:
    rows = []
    for i in range(15):
        p = person(rng, "example.net")
        company = f"{rng.choice(LAST)} {rng.choice(['Traders', 'Holdings', 'Services'])}"
        created = stamp(rng)
        rows.append({
            "leadid": guid("lead", i),
            "subject": f"Interest in {rng.choice(['widgets', 'support plan', 'bulk order'])}",
            **p,
            "jobtitle": rng.choice(TITLES),
            "companyname": company,
            "fax": rng.choice([None, f"+1 555 05{i:02d}"]),
            **address(rng, "lead", i),
            "leadsourcecode": rng.randrange(1, 11),
            "leadqualitycode": rng.randrange(1, 4),
            "estimatedamount": float(rng.randrange(1, 200) * 500),
            "ownerid": owners[i % 9]["systemuserid"],
            "statecode": rng.choice([0, 0, 0, 1, 2]),
            "createdon": created,
            "modifiedon": later(created, rng),
        })  # fmt: skip
    return rows


def campaigns(rng: random.Random, owners: list[Row]) -> list[Row]:
    rows = []
    for i in range(25):
        created = stamp(rng, 300)
        start = later(created, rng)
        budget = float(rng.randrange(5, 120) * 500)
        author = owners[i % 9]["systemuserid"]
        rows.append({
            "campaignid": guid("campaign", i),
            "name": f"{CAMPAIGN_THEMES[i % len(CAMPAIGN_THEMES)]} {2023 + i // 8}",
            "budgetedcost": budget,
            "totalactualcost": round(budget * rng.uniform(0.6, 1.2), 2),
            "expectedrevenue": float(rng.randrange(10, 400) * 1000),
            "actualstart": start,
            "actualend": later(start, rng),
            "expectedresponse": rng.randrange(1, 100),
            "utcconversiontimezonecode": rng.choice([35, 85, 110, 190]),
            "createdby": author,
            "modifiedby": rng.choice([author, owners[(i + 3) % 9]["systemuserid"]]),
            "statecode": 1 if i % 6 == 5 else 0,
            "createdon": created,
            "modifiedon": later(created, rng),
        })  # fmt: skip
    return rows


def opportunities(
    rng: random.Random, accts: list[Row], people: list[Row], camps: list[Row]
) -> list[Row]:
    rows = []
    for i in range(18):
        account = accts[(i * 5) % len(accts)]
        related = [c for c in people if c["parentcustomerid"] == account["accountid"]]
        created = stamp(rng, 400)
        state = rng.choice([0, 0, 1, 2])
        estimated = float(rng.randrange(5, 500) * 1000)
        closed = later(created, rng) if state else None
        rows.append({
            "opportunityid": guid("opportunity", i),
            "name": f"{account['name']} - {rng.choice(['renewal', 'expansion', 'pilot'])}",
            "parentaccountid": account["accountid"],
            "parentcontactid": rng.choice(related)["contactid"] if related else None,
            "campaignid": rng.choice(camps)["campaignid"] if i % 3 else None,
            "estimatedvalue": estimated,
            "estimatedclosedate": later(created, rng),
            "actualvalue": round(estimated * rng.uniform(0.8, 1.1), 2) if state == 1 else None,
            "actualclosedate": closed,
            "closeprobability": 100 if state == 1 else rng.choice([10, 25, 50, 75, 90]),
            "salesstage": rng.randrange(0, 4),
            "stepname": rng.choice(STEPS),
            "ownerid": account["ownerid"],
            "statecode": state,
            "createdon": created,
            "modifiedon": later(closed or created, rng),
        })  # fmt: skip
    return rows


def connections(rng: random.Random, opps: list[Row], people: list[Row]) -> list[Row]:
    """Opportunity contact roles: record1 an opportunity, record2 a contact of its account."""
    rows = []
    for i in range(40):
        opp = opps[i % len(opps)]
        related = [c for c in people if c["parentcustomerid"] == opp["parentaccountid"]]
        contact = rng.choice(related or people)
        created = stamp(rng)
        rows.append({
            "connectionid": guid("connection", i),
            "record1id": opp["opportunityid"],
            "record1objecttypecode": OPPORTUNITY_CODE,
            "record2id": contact["contactid"],
            "record2objecttypecode": CONTACT_CODE,
            "connectionrole1.name": rng.choice(ROLE_NAMES),
            "createdon": created,
            "modifiedon": later(created, rng),
        })  # fmt: skip
    return rows


def marketing_lists(
    rng: random.Random, owners: list[Row], members: dict[int, list[Row]]
) -> tuple[list[Row], list[Row]]:
    """Marketing lists and their members; ``members`` maps createdfromcode -> candidates."""
    id_key = {ACCOUNT_CODE: "accountid", CONTACT_CODE: "contactid", LEAD_CODE: "leadid"}
    kinds = {ACCOUNT_CODE: "accounts", CONTACT_CODE: "contacts", LEAD_CODE: "leads"}
    codes = (CONTACT_CODE, CONTACT_CODE, LEAD_CODE, ACCOUNT_CODE)
    lists: list[Row] = []
    listmembers: list[Row] = []
    for i in range(25):
        code = codes[i % len(codes)]
        size = LIST_SIZES[i % len(LIST_SIZES)]
        created = stamp(rng, 300)
        lists.append({
            "listid": guid("list", i),
            "listname": f"{CAMPAIGN_THEMES[i % len(CAMPAIGN_THEMES)]} {kinds[code]} #{i + 1}",
            "createdfromcode": code,
            "membercount": size,
            "ownerid": owners[i % 9]["systemuserid"],
            "statecode": 0,
            "createdon": created,
            "modifiedon": later(created, rng),
        })  # fmt: skip
        for entity in rng.sample(members[code], size):
            joined = later(created, rng)
            listmembers.append({
                "listmemberid": guid("listmember", len(listmembers)),
                "listid": lists[-1]["listid"],
                "entityid": entity[id_key[code]],
                "createdon": joined,
                "modifiedon": joined,
            })  # fmt: skip
    return lists, listmembers


def small_tables(rng: random.Random, owners: list[Row], opps: list[Row]) -> list[dict[str, Any]]:
    """The documented secondary tables, each with a short schema and 2-3 rows."""
    lic = [
        {"systemuserlicensesid": guid("systemuserlicenses", i),
         "systemuserid": owners[i]["systemuserid"], "licensetype": 1 + i % 2,
         "createdon": stamp(rng)}
        for i in range(3)
    ]  # fmt: skip
    dep = [
        {"workflowdependencyid": guid("workflowdependency", i), "workflowid": guid("workflow", i),
         "type": 1 + i, "dependententityname": e, "dependentattributename": a,
         "createdon": stamp(rng)}
        for i, (e, a) in enumerate([("account", "name"), ("contact", "emailaddress1"),
                                    ("opportunity", "estimatedvalue")])
    ]  # fmt: skip
    comp = [
        {"msdyn_solutioncomponentsummaryid": guid("msdyn_solutioncomponentsummary", i),
         "msdyn_name": n, "msdyn_displayname": d, "msdyn_componenttypename": "Entity",
         "msdyn_solutionid": guid("solution", 0), "msdyn_ismanaged": i != 2}
        for i, (n, d) in enumerate([("account", "Account"), ("contact", "Contact"),
                                    ("lead", "Lead")])
    ]  # fmt: skip
    qip = [
        {"msdyn_quoteinvoicingproductid": guid("msdyn_quoteinvoicingproduct", i),
         "msdyn_name": n, "msdyn_quantity": q, "msdyn_amount": a, "createdon": stamp(rng)}
        for i, (n, q, a) in enumerate([("Onboarding workshop", 2.0, 3000.0),
                                       ("Support hours", 40.0, 6000.0)])
    ]  # fmt: skip
    roles = [
        {"customeropportunityroleid": guid("customeropportunityrole", i),
         "customerid": opps[i]["parentaccountid"], "opportunityid": opps[i]["opportunityid"],
         "opportunityroleid": guid("opportunityrole", i % 2),
         "description": rng.choice(["Decision maker", "Influencer", "Technical buyer"]),
         "createdon": stamp(rng)}
        for i in range(3)
    ]  # fmt: skip
    return [
        table("table", "User License", "systemuserlicenses",
              [("systemuserlicensesid", "Guid"), ("systemuserid", "Lookup"),
               ("licensetype", "Int"), ("createdon", "DateTime")], lic),
        table("table", "Process Dependency", "workflowdependency",
              [("workflowdependencyid", "Guid"), ("workflowid", "Lookup"), ("type", "Int"),
               ("dependententityname", "String"), ("dependentattributename", "String"),
               ("createdon", "DateTime")], dep),
        table("table", "Solution Component Summary", "msdyn_solutioncomponentsummary",
              [("msdyn_solutioncomponentsummaryid", "Guid"), ("msdyn_name", "String"),
               ("msdyn_displayname", "String"), ("msdyn_componenttypename", "String"),
               ("msdyn_solutionid", "Lookup"), ("msdyn_ismanaged", "Boolean")], comp),
        table("table", "Quote Invoicing Product", "msdyn_quoteinvoicingproduct",
              [("msdyn_quoteinvoicingproductid", "Guid"), ("msdyn_name", "String"),
               ("msdyn_quantity", "Double"), ("msdyn_amount", "Money"),
               ("createdon", "DateTime")], qip),
        table("table", "Opportunity Relationship", "customeropportunityrole",
              [("customeropportunityroleid", "Guid"), ("customerid", "Lookup"),
               ("opportunityid", "Lookup"), ("opportunityroleid", "Lookup"),
               ("description", "String"), ("createdon", "DateTime")], roles),
    ]  # fmt: skip


def user_queries(rng: random.Random, owners: list[Row]) -> list[Row]:
    """Saved views of the organisation, as the documented view schema describes them."""
    views = [
        ("Contacts with name TIM", "contact", "firstname", "like", "Tim%"),
        ("accountView1", "contact", "statecode", "eq", "0"),
        ("Inactive_ACC_custom", "account", "statecode", "eq", "1"),
        ("My open leads", "lead", "statecode", "eq", "0"),
        ("Won opportunities", "opportunity", "statecode", "eq", "1"),
        ("Active campaigns", "campaign", "statecode", "eq", "0"),
        ("Contact marketing lists", "list", "createdfromcode", "eq", "2"),
        ("Decision makers", "connection", "connectionrole1.name", "eq", "Decision Maker"),
    ]
    rows = []
    for i, (name, entity, attribute, operator, value) in enumerate(views):
        fetch = (
            f'<fetch version="1.0" mapping="logical"><entity name="{entity}">'
            f'<all-attributes /><filter type="and"><condition attribute="{attribute}" '
            f'operator="{operator}" value="{value}" /></filter></entity></fetch>'
        )
        created = stamp(rng, 200)
        rows.append({
            "userqueryid": guid("userquery", i),
            "name": name,
            "fetchxml": fetch,
            "querytype": 0,
            "ownerid": owners[i % 9]["systemuserid"],
            "createdon": created,
            "modifiedon": later(created, rng),
        })  # fmt: skip
    return rows


USER_COLS = [("systemuserid", "Guid"), ("fullname", "String"), ("firstname", "String"),
             ("lastname", "String"), ("internalemailaddress", "String"), ("domainname", "String"),
             ("title", "String"), ("businessunitid", "Lookup"), ("isdisabled", "Boolean"),
             ("createdon", "DateTime")]  # fmt: skip
ADDRESS_COLS = [("address1_addressid", "Guid"), ("address1_line1", "String"),
                ("address1_line2", "String"), ("address1_line3", "String"),
                ("address1_city", "String"), ("address1_county", "String"),
                ("address1_stateorprovince", "String"), ("address1_postalcode", "String"),
                ("address1_postofficebox", "String"), ("address1_country", "String"),
                ("address1_latitude", "Double"), ("address1_longitude", "Double")]  # fmt: skip
NAME_COLS = [("firstname", "String"), ("middlename", "String"), ("lastname", "String"),
             ("fullname", "String"), ("salutation", "String"), ("suffix", "String"),
             ("emailaddress1", "String"), ("emailaddress2", "String"), ("telephone1", "String"),
             ("mobilephone", "String"), ("jobtitle", "String")]  # fmt: skip
ACCOUNT_COLS = [("accountid", "Guid"), ("name", "String"), ("accountnumber", "String"),
                ("accountratingcode", "Int"), ("description", "String"),
                ("emailaddress1", "String"), ("telephone1", "String"), ("fax", "String"),
                ("websiteurl", "String"), ("tickersymbol", "String"), ("sic", "String"),
                ("address1_name", "String"), *ADDRESS_COLS, ("industrycode", "Int"),
                ("numberofemployees", "Int"), ("revenue", "Money"), ("ownerid", "Lookup"),
                ("primarycontactid", "Lookup"), ("statecode", "Int"), ("createdon", "DateTime"),
                ("modifiedon", "DateTime")]  # fmt: skip
CONTACT_COLS = [("contactid", "Guid"), *NAME_COLS, ("department", "String"),
                ("assistantname", "String"), ("assistantphone", "String"), *ADDRESS_COLS,
                ("parentcustomerid", "Lookup"), ("ownerid", "Lookup"), ("gendercode", "Int"),
                ("donotemail", "Boolean"), ("birthdate", "DateTime"), ("statecode", "Int"),
                ("createdon", "DateTime"), ("modifiedon", "DateTime")]  # fmt: skip
LEAD_COLS = [("leadid", "Guid"), ("subject", "String"), *NAME_COLS, ("companyname", "String"),
             ("fax", "String"), *ADDRESS_COLS, ("leadsourcecode", "Int"),
             ("leadqualitycode", "Int"), ("estimatedamount", "Money"), ("ownerid", "Lookup"),
             ("statecode", "Int"), ("createdon", "DateTime"),
             ("modifiedon", "DateTime")]  # fmt: skip
OPP_COLS = [("opportunityid", "Guid"), ("name", "String"), ("parentaccountid", "Lookup"),
            ("parentcontactid", "Lookup"), ("campaignid", "Lookup"), ("estimatedvalue", "Money"),
            ("estimatedclosedate", "DateTime"), ("actualvalue", "Money"),
            ("actualclosedate", "DateTime"), ("closeprobability", "Int"), ("salesstage", "Int"),
            ("stepname", "String"), ("ownerid", "Lookup"), ("statecode", "Int"),
            ("createdon", "DateTime"), ("modifiedon", "DateTime")]  # fmt: skip
CAMPAIGN_COLS = [("campaignid", "Guid"), ("name", "String"), ("budgetedcost", "Money"),
                 ("totalactualcost", "Money"), ("expectedrevenue", "Money"),
                 ("actualstart", "DateTime"), ("actualend", "DateTime"),
                 ("expectedresponse", "Int"), ("utcconversiontimezonecode", "Int"),
                 ("createdby", "Lookup"), ("modifiedby", "Lookup"), ("statecode", "Int"),
                 ("createdon", "DateTime"), ("modifiedon", "DateTime")]  # fmt: skip
CONNECTION_COLS = [("connectionid", "Guid"), ("record1id", "Lookup"),
                   ("record1objecttypecode", "Int"), ("record2id", "Lookup"),
                   ("record2objecttypecode", "Int"), ("connectionrole1.name", "String"),
                   ("createdon", "DateTime"), ("modifiedon", "DateTime")]  # fmt: skip
LIST_COLS = [("listid", "Guid"), ("listname", "String"), ("createdfromcode", "Int"),
             ("membercount", "Int"), ("ownerid", "Lookup"), ("statecode", "Int"),
             ("createdon", "DateTime"), ("modifiedon", "DateTime")]  # fmt: skip
LISTMEMBER_COLS = [("listmemberid", "Guid"), ("listid", "Lookup"), ("entityid", "Lookup"),
                   ("createdon", "DateTime"), ("modifiedon", "DateTime")]  # fmt: skip
#: View columns as the Dynamics page shows them: lower-case originalType plus an xdm block.
CONTACT_VIEW_COLS = [("contactid", "guid"), ("fullname", "string"), ("emailaddress1", "string"),
                     ("modifiedon", "DateTime")]  # fmt: skip
QUERY_VIEW_COLS = [("name", "string"), ("fetchxml", "string"), ("querytype", "int"),
                   ("userqueryid", "guid"), ("modifiedon", "DateTime")]  # fmt: skip


def dynamics(rng: random.Random) -> dict[str, Any]:
    owners = users(rng)
    accts = accounts(rng, owners)
    people = contacts(rng, accts)
    prospects = leads(rng, owners)
    camps = campaigns(rng, owners)
    opps = opportunities(rng, accts, people, camps)
    links = connections(rng, opps, people)
    lists, members = marketing_lists(
        rng, owners, {ACCOUNT_CODE: accts, CONTACT_CODE: people, LEAD_CODE: prospects}
    )
    queries = user_queries(rng, owners)
    inactive = [a for a in accts if a["statecode"] == 1]
    active_ids = {a["accountid"] for a in accts if a["statecode"] == 0}
    active_people = [c for c in people if c["parentcustomerid"] in active_ids]
    inactive_cols = [("accountid", "Guid"), ("name", "String"), ("statecode", "Int"),
                     ("modifiedon", "DateTime")]  # fmt: skip
    objects = [
        table("table", "Account", "account", ACCOUNT_COLS, accts),
        table("table", "Contact", "contact", CONTACT_COLS, people),
        table("table", "Lead", "lead", LEAD_COLS, prospects),
        table("table", "Opportunity", "opportunity", OPP_COLS, opps),
        table("table", "User", "systemuser", USER_COLS, owners),
        table("table", "Connection", "connection", CONNECTION_COLS, links),
        table("table", "Campaign", "campaign", CAMPAIGN_COLS, camps),
        table("table", "Marketing List", "list", LIST_COLS, lists),
        table("table", "Marketing List Member", "listmember", LISTMEMBER_COLS, members),
        *small_tables(rng, owners, opps),
        table("view", "accountView1", "accountView1", CONTACT_VIEW_COLS, active_people),
        table("view", "Inactive_ACC_custom", "Inactive_ACC_custom", inactive_cols, inactive),
        table("view", "Contacts with name TIM", "Contacts with name TIM", QUERY_VIEW_COLS,
              queries),
    ]  # fmt: skip
    return {"objects": objects}


def generic(rng: random.Random) -> dict[str, Any]:
    """A modest two-table sample for every other Tabular source (databases, CRMs, ...)."""
    customers = []
    for i in range(8):
        first, last = FIRST[i], LAST[i]
        customers.append({
            "customer_id": 1001 + i, "first_name": first, "last_name": last,
            "email": f"{first.lower()}.{last.lower()}@example.com",
            "country": CITIES[i % len(CITIES)][1], "created_at": stamp(rng),
            "is_active": i % 4 != 3,
        })  # fmt: skip
    orders = [
        {"order_id": 5001 + i, "customer_id": customers[(i * 3) % 8]["customer_id"],
         "order_date": stamp(rng), "status": rng.choice(["placed", "shipped", "returned"]),
         "total_amount": round(rng.uniform(10, 900), 2)}
        for i in range(12)
    ]  # fmt: skip
    ccols = [("customer_id", "Int"), ("first_name", "String"), ("last_name", "String"),
             ("email", "String"), ("country", "String"), ("created_at", "DateTime"),
             ("is_active", "Boolean")]  # fmt: skip
    ocols = [("order_id", "Int"), ("customer_id", "Int"), ("order_date", "DateTime"),
             ("status", "String"), ("total_amount", "Decimal")]  # fmt: skip
    active = [c for c in customers if c["is_active"]]
    objects = [
        table("table", "customers", "customers", ccols, customers),
        table("table", "orders", "orders", ocols, orders),
        table("view", "active_customers", "active_customers", ccols[:4], active),
    ]
    return {"objects": objects}


def file_entry(path: str, file_type: str, cols: list[tuple[str, str]], rows: list[Row]) -> Row:
    """A file of the shared sample tree. Files carry no ``meta.originalType`` (no source DB)."""
    entry = table("file", path.rstrip("/").rsplit("/", 1)[-1], path, cols, rows)
    for col in entry["columns"]:
        del col["meta"]
    entry["fileType"] = file_type
    return entry


def file_system(rng: random.Random) -> dict[str, Any]:
    def people(n: int, start: int) -> list[Row]:
        return [
            {"customer_id": start + i, "first_name": FIRST[(start + i) % 18],
             "last_name": LAST[(start + i) % 16],
             "email": f"{FIRST[(start + i) % 18].lower()}@example.com",
             "country": CITIES[i % 6][1], "signup_date": stamp(rng)}
            for i in range(n)
        ]  # fmt: skip

    pcols = [("customer_id", "Int"), ("first_name", "String"), ("last_name", "String"),
             ("email", "String"), ("country", "String"), ("signup_date", "DateTime")]  # fmt: skip
    ocols = [("order_id", "String"), ("customer_id", "Int"), ("sku", "String"),
             ("quantity", "Int"), ("unit_price", "Double"), ("ordered_at", "DateTime")]  # fmt: skip
    orders = [
        {"order_id": f"ORD-{7001 + i}", "customer_id": 1 + (i * 7) % 12,
         "sku": f"SKU-{rng.randrange(100, 999)}", "quantity": rng.randrange(1, 6),
         "unit_price": round(rng.uniform(2, 250), 2), "ordered_at": stamp(rng)}
        for i in range(10)
    ]  # fmt: skip
    ecols = [("event_id", "String"), ("customer_id", "Int"), ("event_type", "String"),
             ("value", "Double"), ("occurred_at", "DateTime")]  # fmt: skip
    events = [
        {"event_id": guid("event", i), "customer_id": 1 + i % 12,
         "event_type": rng.choice(["page_view", "add_to_cart", "purchase"]),
         "value": round(rng.uniform(0, 100), 2), "occurred_at": stamp(rng)}
        for i in range(8)
    ]  # fmt: skip
    members = [{"member_id": 300 + i, "tier": rng.choice(["silver", "gold", "platinum"]),
                "points": rng.randrange(0, 20000)} for i in range(6)]  # fmt: skip
    mcols = [("member_id", "Int"), ("tier", "String"), ("points", "Int")]
    entries = [
        {"type": "folder", "name": "acme", "path": "acme/"},
        file_entry("loyalty_members.csv", "delimited", mcols, members),
        {"type": "folder", "name": "archive", "path": "acme/archive/"},
        file_entry("acme/customers.csv", "delimited", pcols, people(12, 1)),
        file_entry("acme/orders.json", "json", ocols, orders),
        file_entry("acme/archive/customers_2023.csv", "delimited", pcols, people(5, 900)),
        file_entry("acme/archive/events.parquet", "parquet", ecols, events),
    ]
    return {"entries": entries}


def resource(rng: random.Random) -> dict[str, Any]:
    schema = {
        "type": "object",
        "properties": {
            "id": {"type": "integer", "minimum": -9007199254740991, "maximum": 9007199254740991},
            "name": {"type": "string"},
            "email": {"type": "string"},
            "status": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "address": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
            },
            "tags": {"type": "array", "items": {"type": "string"}},
        },
    }
    data = [
        {"id": 4100 + i, "name": f"{FIRST[i]} {LAST[i]}",
         "email": f"{FIRST[i].lower()}@example.net",
         "status": rng.choice(["active", "pending", "closed"]), "created_at": stamp(rng),
         "address": {"city": CITIES[i % 6][0], "country": CITIES[i % 6][1]},
         "tags": rng.sample(["vip", "newsletter", "trial", "partner"], k=1 + i % 2)}
        for i in range(6)
    ]  # fmt: skip
    return {"object": "json", "schema": schema, "data": data}


def build() -> dict[str, Any]:
    def section(fn: Callable[[random.Random], dict[str, Any]], salt: int) -> dict[str, Any]:
        return fn(random.Random(SEED + salt))

    return {
        "generator": "tools/build_explore_samples.py",
        "seed": SEED,
        "tabular": {
            "bySpecId": {DYNAMICS_SPEC_ID: "dynamics"},
            "default": "generic",
            "samples": {"dynamics": section(dynamics, 1), "generic": section(generic, 2)},
        },
        "fileSystem": section(file_system, 3),
        "resource": section(resource, 4),
    }


def render() -> str:
    """The file's exact text."""
    return json.dumps(build(), separators=(",", ":"), ensure_ascii=True) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUT, help="where to write the JSON")
    out: Path = parser.parse_args(argv).output
    text = render()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out} ({len(text) - 1} bytes)")


if __name__ == "__main__":
    main()
