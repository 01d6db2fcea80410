"""Public catalogue search as the catalogue grows from 100 to 10,000 offers: does a search stay instant?

For each database kind (temporary SQLite files, and private PostgreSQL schemas when the server answers), the script
builds one catalogue per size, each in a database of its own: a realistic network (organizations of every type, about
three offers each, built from the demo's vocabularies: titles, descriptions, target groups, needs, zones; some
organizations not approved, some offers inactive or full, a few data never verified). Then it measures every size
at once, in-process through Flask's test client (routing, the query, the template: the real page), the sizes taking
turns request by request, so that a slow spell of the (shared, virtual) machine falls on all sizes alike and the
growth ratio compares the code, not the minutes in which each size was measured:

* `GET /catalogo?q=...`: word search (one or two words, common and rare ones, rotating);
* `GET /catalogo?gruppo=...&bisogno=...&zona=...&disponibili=1`: the filters (rotating combinations);
* `GET /api/hsds/services?search=...`: the open-data API's word search.

p95 of each, and the growth ratio p95(largest) / p95(smallest). The offers are written with bulk INSERTs (around the
ORM), so after building each catalogue its word and filter indexes (webapp/network/search_index.py,
facet_index.py) are rebuilt, as `flask tessere catalog reindex` does; time and size are printed, never part of a
search's figures. On PostgreSQL it also prints the plans (`EXPLAIN ANALYZE`) of the word query and the filter query
at the largest size, and says whether each reads its index (`pg_word_index_used`, `pg_facet_index_used`).

    .venv/bin/python -m bench.catalogue [--quick] [--sizes 100,1000,10000] [--requests 60] [--sqlite-only]

The last line is `RESULT sqlite_words_p95_ms=... sqlite_filters_p95_ms=... sqlite_growth=... pg_...`, where growth
is the largest of the page ratios (word search, filters) and p95s are at the largest size. Targets (issue #8):
growth at most 2x and p95 under 50 ms at 10,000 offers.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta

from bench.common import (
    DEFAULT_PG_URL,
    bench_database,
    create_bench_app,
    load_average,
    machine_summary,
    ms,
    percentile,
    postgres_reachable,
    result_line,
)

WORD_QUERIES = (
    "spesa",
    "anziani soli",
    "doposcuola",
    "ascolto",
    "mensa",
    "trasporto",
    "lingua italiana",
    "sportello",
    "laboratorio",
    "volontari",
    "campi",
    "orto",
)
OFFERS_PER_ORGANIZATION = 3


def _catalogue_vocabulary():
    from forms.offers import AREAS
    from forms.vocabulary import TARGET_GROUPS
    from webapp.demo import data

    areas = [code for code, _ in AREAS]
    return data.ORGANIZATIONS, data.OFFERS, areas, TARGET_GROUPS


class CatalogueGrower:
    """Adds organizations and offers, deterministically (one seeded random source), up to a given number of offers."""

    def __init__(self, seed: int = 8):
        self.rng = random.Random(seed)
        self.organizations, self.offers, self.areas, self.groups = _catalogue_vocabulary()
        self.offer_count = 0
        self.organization_count = 0
        self.now = datetime.now(UTC)

    def grow_to(self, session, target: int) -> None:
        from sqlalchemy import insert

        from webapp.network.models import Offer, Organization

        while self.offer_count < target:
            batch_orgs = []
            first_id = self.organization_count + 1
            wanted = min(target - self.offer_count, 3000)
            n_orgs = max(1, wanted // OFFERS_PER_ORGANIZATION)
            for i in range(n_orgs):
                template = self.rng.choice(self.organizations)
                number = first_id + i
                batch_orgs.append(
                    {
                        "id": number,
                        "name": f"{template['name']} {number}",
                        "codice_fiscale": f"9{number:010d}",
                        "type": template["type"],
                        # one organization in twenty is still applying or suspended: never in the catalogue
                        "status": "approved" if self.rng.random() > 0.05 else self.rng.choice(("pending", "suspended")),
                        "email": f"org{number}@bench.tessere.it",
                        "phone": template.get("phone"),
                        "address": template.get("address"),
                        "area": template.get("area"),
                        "description": template.get("description"),
                        "created_at": self.now,
                    }
                )
            session.execute(insert(Organization), batch_orgs)
            batch_offers = []
            for i in range(wanted):
                template = self.rng.choice(self.offers)
                organization_id = first_id + (i % n_orgs)
                total = template["capacity_total"]
                available = self.rng.choice((0, total // 2, total)) if self.rng.random() < 0.5 else total
                verified = self.rng.random()
                areas = self.rng.sample(self.areas, self.rng.choice((1, 1, 2, 3)))
                batch_offers.append(
                    {
                        "organization_id": organization_id,
                        "title": f"{template['title']} ({self.offer_count + i + 1})",
                        "description": template["description"],
                        "target_groups": list(template["target_groups"]),
                        "needs": list(template["needs"]),
                        "capacity_total": total,
                        "capacity_available": available,
                        "capacity_unit": template.get("capacity_unit", "posti"),
                        "location": template.get("location"),
                        "schedule": template.get("schedule"),
                        "how_to_access": template.get("how_to_access"),
                        "eligibility": template.get("eligibility"),
                        "languages": list(template.get("languages", ["it"])),
                        "cost": template.get("cost"),
                        "active": self.rng.random() > 0.1,  # one in ten taken out of the catalogue
                        "areas": areas,
                        "created_at": self.now,
                        "updated_at": self.now,
                        "verified_at": None if verified < 0.05 else self.now - timedelta(days=int(verified * 500)),
                    }
                )
            session.execute(insert(Offer), batch_offers)
            self.organization_count += n_orgs
            self.offer_count += wanted
        session.commit()


def filter_queries(rng: random.Random) -> list[str]:
    """Rotating combinations of the catalogue's filters, as people use them (group and need, zone, free places)."""
    from forms.offers import AREAS
    from forms.vocabulary import TARGET_GROUPS

    queries = []
    areas = [code for code, _ in AREAS if code != "tutto_il_comune"]
    for group in TARGET_GROUPS:
        need = rng.choice(group.needs)[0]
        queries.append(f"/catalogo?gruppo={group.code}&bisogno={need}&zona={rng.choice(areas)}&disponibili=1")
        queries.append(f"/catalogo?gruppo={group.code}&zona={rng.choice(areas)}")
    return queries


def explain(session, words: str | None, **filters) -> list[str]:
    """EXPLAIN ANALYZE of the catalogue's queries with these words and filters (PostgreSQL): what `search_offers`
    runs: the ids of all matches in title order (or, for common words, a count and a walk of the titles), then
    the page's offers by primary key."""
    from sqlalchemy import select
    from sqlalchemy.ext.compiler import compiles
    from sqlalchemy.sql.expression import ClauseElement, Executable

    from webapp.network.facet_index import chosen_facets
    from webapp.network.models import Offer
    from webapp.network.search_index import restrict_to_words
    from webapp.network.services import (
        common_words_count_query,
        offer_ids_query,
        offer_search_conditions,
        offer_search_query,
        words_are_common,
    )

    class Explain(Executable, ClauseElement):
        inherit_cache = False

        def __init__(self, statement):
            self.statement = statement

    @compiles(Explain, "postgresql")
    def _explain(element, compiler, **kw):
        return "EXPLAIN (ANALYZE, BUFFERS) " + compiler.process(element.statement, **kw)

    facets = chosen_facets(filters.get("target_group"), filters.get("need"), filters.get("area"))
    conditions = offer_search_conditions(filters.get("available_only", False), narrowed=True)
    ids_query = offer_ids_query(conditions, words, facets)
    first_page = list(session.scalars(ids_query.limit(20)))
    page = ("the page's 20 offers by primary key", offer_search_query([Offer.id.in_(first_page)]))
    if words and not facets and words_are_common(session, words):
        walking = offer_search_conditions(filters.get("available_only", False), walking=True)
        walk = restrict_to_words(select(Offer.id), words, start_here=False).where(*walking)
        statements = (
            (
                "count of all matches (common words)",
                common_words_count_query(conditions, words),
            ),
            ("walk: the first page's ids in title order", walk.order_by(Offer.title, Offer.id).limit(20)),
            page,
        )
    else:
        statements = (("ids of all matches, in title order", ids_query), page)
    lines = []
    for label, statement in statements:
        plan = [row[0] for row in session.execute(Explain(statement))]
        lines.append(f"  -- {label}")
        lines.extend("  " + line for line in plan if not line.strip().startswith("Buffers: shared hit"))
    session.rollback()
    return lines


def rebuild_word_index(session) -> tuple[int, float]:
    """(terms written, seconds) of rebuilding the catalogue's indexes, words and filters (`rebuild_index` does both):
    the offers were bulk-inserted, which the ORM's index listeners do not see."""
    from webapp.network.search_index import rebuild_index

    started = time.perf_counter()
    written = rebuild_index(session.connection())
    session.commit()
    return written, time.perf_counter() - started


def measure_interleaved(clients: list, urls: list[str], requests: int, warmup: int = 3) -> list[tuple[float, float]]:
    """(p95, median) in ms for each client (one per catalogue size) of `requests` GETs rotating over `urls`, the
    clients taking turns request by request (in an order that alternates from round to round): a slow spell of the
    machine then falls on every size alike instead of on the one being measured, so the growth ratio compares the
    code at each size rather than the minutes in which each size was measured. Each request must answer 200."""
    for client in clients:
        for url in urls[:warmup]:
            client.get(url)
    timings: list[list[float]] = [[] for _ in clients]
    gc.collect()
    for i in range(requests):
        url = urls[i % len(urls)]
        order = range(len(clients)) if i % 2 == 0 else range(len(clients) - 1, -1, -1)
        for index in order:
            started = time.perf_counter()
            response = clients[index].get(url)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            timings[index].append(elapsed)
    results = []
    for values in timings:
        values.sort()
        results.append((ms(percentile(values, 95)), ms(values[len(values) // 2])))
    return results


def build_catalogue(database, size: int):
    """The app on this database, holding a catalogue of `size` offers with its indexes rebuilt (and, on PostgreSQL,
    vacuumed and analyzed as autovacuum would after a bulk load)."""
    from webapp.extensions import db

    app = create_bench_app(database)
    grower = CatalogueGrower()
    with app.app_context():
        grower.grow_to(db.session, size)
        terms, seconds = rebuild_word_index(db.session)
        print(
            f"{size:>7} offers ({grower.organization_count} organizations): word and filter indexes rebuilt, "
            f"{terms} terms in {seconds:.2f} s"
        )
        db.session.remove()
        if database.kind == "postgresql":
            # what autovacuum does after a bulk load: statistics, and the visibility map that lets the word
            # ranges be read from the index alone (index-only scans)
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
    return app


def run_database(kind: str, sizes: list[int], requests: int, pg_url: str, show_plans: bool) -> dict[str, float]:
    """Each size in a database of its own, built first; then every kind of search measured on all sizes at once,
    interleaved (`measure_interleaved`)."""
    from webapp.extensions import db

    rng = random.Random(8)
    figures: dict[str, float] = {}
    words = [f"/catalogo?q={w.replace(' ', '+')}" for w in WORD_QUERIES]
    hsds = [f"/api/hsds/services?search={w.replace(' ', '+')}" for w in WORD_QUERIES]
    filters = filter_queries(rng)
    with ExitStack() as stack:
        apps = []
        for size in sizes:
            database = stack.enter_context(bench_database(kind, pg_url, name=f"catalogue{size}"))
            if not apps:
                print(f"\n== {database.label.split(' (')[0]} (one database per size)")
            apps.append(build_catalogue(database, size))
        clients = [app.test_client() for app in apps]
        measured = {
            "words": measure_interleaved(clients, words, requests),
            "filters": measure_interleaved(clients, filters, requests),
            "hsds": measure_interleaved(clients, hsds, requests),
        }
        rows = []
        for index, size in enumerate(sizes):
            (words_p95, words_median), (filters_p95, filters_median), (hsds_p95, hsds_median) = (
                measured[kind_][index] for kind_ in ("words", "filters", "hsds")
            )
            rows.append((size, words_p95, filters_p95, hsds_p95))
            print(
                f"{size:>7} offers: "
                f"words p95 {words_p95:7.2f} ms (median {words_median:.2f})  "
                f"filters p95 {filters_p95:7.2f} ms (median {filters_median:.2f})  "
                f"HSDS search p95 {hsds_p95:7.2f} ms (median {hsds_median:.2f})"
            )
        print(f"  (load average after the measures: {load_average()})")
        if kind == "postgresql" and show_plans:
            with apps[-1].app_context():
                print("\nPlans at the largest size (EXPLAIN ANALYZE):")
                print("  == word search 'anziani soli'")
                word_plan = explain(db.session, "anziani soli")
                print("\n".join(word_plan))
                # the range on the primary key (term, offer_id) of offer_search_term, not a scan of every offer
                index_used = any("offer_search_term_pkey" in line for line in word_plan)
                figures["pg_word_index_used"] = "yes" if index_used else "no"
                print(f"  word query reads the index offer_search_term_pkey: {figures['pg_word_index_used']}")
                print("  == word search 'campi' (the town's name: a common word, counted, then walked)")
                print("\n".join(explain(db.session, "campi")))
                print("  == filters: poverta / generi_alimentari / capalle / free places")
                filter_plan = explain(
                    db.session,
                    None,
                    target_group="poverta",
                    need="generi_alimentari",
                    available_only=True,
                    area="capalle",
                )
                print("\n".join(filter_plan))
                # the range on the primary key (kind, value, offer_id) of offer_facet, not a scan of every offer
                facet_used = any("offer_facet_pkey" in line for line in filter_plan)
                figures["pg_facet_index_used"] = "yes" if facet_used else "no"
                print(f"  filter query reads the index offer_facet_pkey: {figures['pg_facet_index_used']}")
                print("  == filters: anziani / capalle")
                print("\n".join(explain(db.session, None, target_group="anziani", area="capalle")))
                db.session.remove()
    first, last = rows[0], rows[-1]
    prefix = "sqlite" if kind == "sqlite" else "pg"
    figures[f"{prefix}_words_p95_ms"] = last[1]
    figures[f"{prefix}_filters_p95_ms"] = last[2]
    figures[f"{prefix}_hsds_p95_ms"] = last[3]
    figures[f"{prefix}_words_growth"] = round(last[1] / first[1], 3)
    figures[f"{prefix}_filters_growth"] = round(last[2] / first[2], 3)
    figures[f"{prefix}_hsds_growth"] = round(last[3] / first[3], 3)
    figures[f"{prefix}_growth"] = max(figures[f"{prefix}_words_growth"], figures[f"{prefix}_filters_growth"])
    print(
        f"growth {first[0]} -> {last[0]} offers: words {figures[f'{prefix}_words_growth']}x, "
        f"filters {figures[f'{prefix}_filters_growth']}x, HSDS {figures[f'{prefix}_hsds_growth']}x (target <= 2x); "
        f"p95 at {last[0]}: words {last[1]} ms, filters {last[2]} ms (target < 50 ms)"
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="offer counts, smallest first")
    parser.add_argument("--requests", type=int, default=60, help="requests per kind and size")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, SQLite only: checks the script runs")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    requests = args.requests
    kinds = ["sqlite"] if args.sqlite_only or args.quick else ["sqlite", "postgresql"]
    if args.quick:
        sizes, requests = [20, 60], 6
    print(machine_summary())
    print(f"sizes {sizes}, {requests} requests per kind and size")
    figures: dict[str, float] = {"offers": sizes[-1]}
    for kind in kinds:
        if kind == "postgresql":
            why = postgres_reachable(args.pg_url)
            if why:
                print(f"\nPostgreSQL skipped: {why}")
                continue
        figures.update(run_database(kind, sizes, requests, args.pg_url, show_plans=True))
    print(result_line(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
