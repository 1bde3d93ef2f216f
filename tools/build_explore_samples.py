"""Build ``mock_flowservice/data/explore_samples.json``, the data behind ``/explore``.

Run ``python tools/build_explore_samples.py`` from the repository root. The output is fully
determined by :data:`SEED` and :data:`NAMESPACE`: running it twice writes the same bytes, so the
committed JSON can be regenerated and diffed. The app only ever loads the JSON.

Everything here is invented: people, companies and e-mail addresses are fake and every domain is
an example domain (``example.com``/``.org``/``.net``, RFC 2606). Table and column names follow
Microsoft Dynamics 365 logical names; the table list is the one the Flow Service docs show.

Rows are stored as arrays aligned with ``columns`` to keep the file small; ``explore.py`` turns
them into objects keyed by column name.
"""

from __future__ import annotations

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


def person(rng: random.Random, domain: str) -> Row:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return {
        "firstname": first,
        "lastname": last,
        "fullname": f"{first} {last}",
        "emailaddress1": f"{first.lower()}.{last.lower()}@{domain}",
        "telephone1": f"+1 555 01{rng.randrange(100):02d}",
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
        city, country = CITIES[i % len(CITIES)]
        created = stamp(rng)
        rows.append({
            "accountid": guid("account", i),
            "name": company,
            "accountnumber": f"ACC-{10001 + i}",
            "emailaddress1": f"info@{slug(company)}.example.com",
            "telephone1": f"+1 555 01{i:02d}",
            "websiteurl": f"https://{slug(company)}.example.com",
            "address1_city": city,
            "address1_country": country,
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
            "parentcustomerid": account["accountid"],
            "ownerid": account["ownerid"],
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
        rows.append({
            "leadid": guid("lead", i),
            "subject": f"Interest in {rng.choice(['widgets', 'support plan', 'bulk order'])}",
            **p,
            "companyname": company,
            "leadsourcecode": rng.randrange(1, 11),
            "leadqualitycode": rng.randrange(1, 4),
            "estimatedamount": float(rng.randrange(1, 200) * 500),
            "ownerid": owners[i % 9]["systemuserid"],
            "statecode": rng.choice([0, 0, 0, 1, 2]),
            "createdon": stamp(rng),
        })  # fmt: skip
    return rows


def opportunities(rng: random.Random, accts: list[Row], people: list[Row]) -> list[Row]:
    rows = []
    for i in range(18):
        account = accts[(i * 5) % len(accts)]
        related = [c for c in people if c["parentcustomerid"] == account["accountid"]]
        created = stamp(rng, 400)
        rows.append({
            "opportunityid": guid("opportunity", i),
            "name": f"{account['name']} - {rng.choice(['renewal', 'expansion', 'pilot'])}",
            "parentaccountid": account["accountid"],
            "parentcontactid": rng.choice(related)["contactid"] if related else None,
            "estimatedvalue": float(rng.randrange(5, 500) * 1000),
            "estimatedclosedate": later(created, rng),
            "closeprobability": rng.choice([10, 25, 50, 75, 90]),
            "stepname": rng.choice(STEPS),
            "ownerid": account["ownerid"],
            "statecode": rng.choice([0, 0, 1, 2]),
            "createdon": created,
        })  # fmt: skip
    return rows


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


USER_COLS = [("systemuserid", "Guid"), ("fullname", "String"), ("firstname", "String"),
             ("lastname", "String"), ("internalemailaddress", "String"), ("domainname", "String"),
             ("title", "String"), ("businessunitid", "Lookup"), ("isdisabled", "Boolean"),
             ("createdon", "DateTime")]  # fmt: skip
ACCOUNT_COLS = [("accountid", "Guid"), ("name", "String"), ("accountnumber", "String"),
                ("emailaddress1", "String"), ("telephone1", "String"), ("websiteurl", "String"),
                ("address1_city", "String"), ("address1_country", "String"),
                ("industrycode", "Int"), ("numberofemployees", "Int"), ("revenue", "Money"),
                ("ownerid", "Lookup"), ("primarycontactid", "Lookup"), ("statecode", "Int"),
                ("createdon", "DateTime"), ("modifiedon", "DateTime")]  # fmt: skip
CONTACT_COLS = [("contactid", "Guid"), ("firstname", "String"), ("lastname", "String"),
                ("fullname", "String"), ("emailaddress1", "String"), ("telephone1", "String"),
                ("jobtitle", "String"), ("parentcustomerid", "Lookup"), ("ownerid", "Lookup"),
                ("donotemail", "Boolean"), ("birthdate", "DateTime"), ("statecode", "Int"),
                ("createdon", "DateTime"), ("modifiedon", "DateTime")]  # fmt: skip
LEAD_COLS = [("leadid", "Guid"), ("subject", "String"), ("firstname", "String"),
             ("lastname", "String"), ("fullname", "String"), ("companyname", "String"),
             ("emailaddress1", "String"), ("telephone1", "String"), ("leadsourcecode", "Int"),
             ("leadqualitycode", "Int"), ("estimatedamount", "Money"), ("ownerid", "Lookup"),
             ("statecode", "Int"), ("createdon", "DateTime")]  # fmt: skip
OPP_COLS = [("opportunityid", "Guid"), ("name", "String"), ("parentaccountid", "Lookup"),
            ("parentcontactid", "Lookup"), ("estimatedvalue", "Money"),
            ("estimatedclosedate", "DateTime"), ("closeprobability", "Int"),
            ("stepname", "String"), ("ownerid", "Lookup"), ("statecode", "Int"),
            ("createdon", "DateTime")]  # fmt: skip


def dynamics(rng: random.Random) -> dict[str, Any]:
    owners = users(rng)
    accts = accounts(rng, owners)
    people = contacts(rng, accts)
    opps = opportunities(rng, accts, people)
    inactive = [a for a in accts if a["statecode"] == 1]
    view1 = [("accountid", "Guid"), ("name", "String"), ("telephone1", "String"),
             ("address1_city", "String"), ("ownerid", "Lookup")]  # fmt: skip
    inactive_cols = [("accountid", "Guid"), ("name", "String"), ("statecode", "Int"),
                     ("modifiedon", "DateTime")]  # fmt: skip
    objects = [
        table("table", "Account", "account", ACCOUNT_COLS, accts),
        table("table", "Contact", "contact", CONTACT_COLS, people),
        table("table", "Lead", "lead", LEAD_COLS, leads(rng, owners)),
        table("table", "Opportunity", "opportunity", OPP_COLS, opps),
        table("table", "User", "systemuser", USER_COLS, owners),
        *small_tables(rng, owners, opps),
        table("view", "accountView1", "accountView1", view1, accts[:10]),
        table("view", "Inactive_ACC_custom", "Inactive_ACC_custom", inactive_cols, inactive),
    ]
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


def main() -> None:
    text = json.dumps(build(), separators=(",", ":"), ensure_ascii=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(text)} bytes)")


if __name__ == "__main__":
    main()
