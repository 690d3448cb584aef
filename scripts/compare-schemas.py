#!/usr/bin/env python3
"""Checks that the SQLite and the PostgreSQL migrations build the same schema.

    TEST_DATABASE_URL=postgres://user@127.0.0.1:55432/postgres python3 scripts/compare-schemas.py

The SQLite schema is built in memory from migrations/sqlite/*.sql (or migrations/*.sql while the
folder does not exist yet), in order. The PostgreSQL one is built in a scratch database on the
cluster TEST_DATABASE_URL names (the role must be allowed to create databases; the throwaway
cluster of scripts/postgres-test-cluster.sh is), from migrations/postgres/*.sql, each file in one
transaction as sqlx runs them; the scratch database is dropped afterwards.

Then, table by table: every SQLite column exists in PostgreSQL with the mapped type (the rules
below), the same nullability, default and order; the same primary keys, unique constraints,
foreign keys (with ON DELETE), number of CHECK constraints, and every named index with the same
columns, uniqueness and predicate. Whatever PostgreSQL has beyond that must be listed in
PG_ONLY_*. Exits 1 and names each difference otherwise.

A new migration adds its twin in both folders; a new 0/1 flag, a new i32 column or a new time
column under an unusual name is added to the lists below.
"""

import glob
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# INTEGER columns that hold a 0/1 flag: BOOLEAN on PostgreSQL.
FLAGS = {
    ("users", "language_chosen"),
    ("users", "active"),
    ("users", "profile_asked"),
    ("group_chats", "active"),
    ("invites", "hashed"),
    ("event_listeners", "direct"),
    ("outbox", "late"),
    ("outbox", "paid"),
    ("attendance", "joined_late"),
    ("attendance", "left_early"),
}
# INTEGER columns Rust reads as i32: INTEGER on PostgreSQL. Every other INTEGER is BIGINT.
INT4 = {("outbox", "message_id")}
# TEXT columns compared bytewise, as SQLite does: COLLATE "C". Besides these, every *_at column.
BYTEWISE = {
    ("series", "first_date"),
    ("series", "local_time"),
    ("outbox", "kind"),
    ("join_links", "token_hash"),
    ("attendance", "first_joined"),
    ("attendance", "last_left"),
    ("api_tokens", "token_hash"),
    ("api_groups", "external_id"),
    ("platform_users", "external_id"),
    ("api_roster", "external_id"),
    ("api_events", "external_id"),
}
# Rowid aliases that are given, not generated (Telegram ids, a key that is another table's id):
# no identity on PostgreSQL.
TELEGRAM_IDS = {("users", "id"), ("dialogues", "chat_id"), ("group_chats", "chat_id"), ("attendance_fetches", "event_id")}

# What only PostgreSQL has: (data_type, collation, nullable, identity).
PG_ONLY_COLUMNS = {
    # SQLite's implicit rowid, made a column of the same name so one query serves both.
    ("invites", "rowid"): ("bigint", None, False, "BY DEFAULT"),
    ("outbox", "claimed_by"): ("text", None, True, None),
    ("outbox", "lease_until"): ("text", "C", True, None),
}
PG_ONLY_TABLES = {
    "leader_lease": {
        "name": ("text", None, False, None),
        "holder": ("text", None, False, None),
        "epoch": ("bigint", None, False, None),
        # The server's clock, one for every instance.
        "renewed_at": ("timestamp with time zone", None, False, None),
        "expires_at": ("timestamp with time zone", None, False, None),
    },
}
PG_ONLY_UNIQUE = {("invites", ("rowid",))}
PG_ONLY_INDEXES = {"outbox_lease"}

SKIP_TABLES = {"_sqlx_migrations"}

problems = []


def problem(table, text):
    problems.append(f"{table}: {text}")


# ---------------------------------------------------------------- SQLite


def sqlite_migrations():
    folder = os.path.join(ROOT, "migrations", "sqlite")
    if not os.path.isdir(folder):
        folder = os.path.join(ROOT, "migrations")
    files = sorted(glob.glob(os.path.join(folder, "*.sql")))
    if not files:
        sys.exit(f"no SQLite migrations in {folder}")
    return folder, files


def sqlite_schema():
    folder, files = sqlite_migrations()
    db = sqlite3.connect(":memory:")
    for path in files:
        with open(path, encoding="utf-8") as f:
            db.executescript(f.read())
    schema = {}
    tables = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for table, sql in tables:
        if table in SKIP_TABLES:
            continue
        cols = [
            dict(cid=r[0], name=r[1], type=r[2].upper(), notnull=bool(r[3]), default=r[4], pk=r[5])
            for r in db.execute(f"PRAGMA table_info({table})")
        ]
        pk = tuple(c["name"] for c in sorted((c for c in cols if c["pk"]), key=lambda c: c["pk"]))
        fks = {}
        for fid, _seq, to_table, frm, to, _upd, on_delete, _match in db.execute(f"PRAGMA foreign_key_list({table})"):
            fk = fks.setdefault(fid, dict(cols=[], to_table=to_table, to_cols=[], on_delete=on_delete))
            fk["cols"].append(frm)
            fk["to_cols"].append(to)
        uniques, indexes = set(), {}
        for _seq, name, unique, origin, partial in db.execute(f"PRAGMA index_list({table})"):
            icols = tuple(r[2] for r in db.execute(f"PRAGMA index_info({name})"))
            if origin == "u":
                uniques.add(icols)
            elif origin == "c":
                (isql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()
                m = re.search(r"\bWHERE\b(.*)$", isql, re.S | re.I)
                indexes[name] = dict(cols=icols, unique=bool(unique), pred=m.group(1).strip() if m else None)
        schema[table] = dict(
            cols=cols,
            pk=pk,
            fks=fks,
            uniques=uniques,
            indexes=indexes,
            checks=len(re.findall(r"\bCHECK\s*\(", sql, re.I)),
        )
    return folder, files, db, schema


# ---------------------------------------------------------------- PostgreSQL


def find_psql():
    found = shutil.which("psql")
    if found:
        return found
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
    if candidates:
        return candidates[-1]
    sys.exit("psql not found (install postgresql-client, or run scripts/postgres-test-cluster.sh first)")


PSQL = None


def psql(url, *args, sql=None):
    cmd = [PSQL, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, *args]
    if sql is not None:
        cmd += ["-c", sql]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"psql failed: {' '.join(args) or sql}\n{done.stderr.strip()}")
    return done.stdout


def pg_json(url, sql):
    out = psql(url, sql=f"SELECT coalesce(json_agg(q), '[]') FROM ({sql}) q").strip()
    return json.loads(out)


def with_database(url, name):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


COLUMNS_SQL = """
SELECT table_name, column_name, ordinal_position, data_type, is_nullable, column_default,
       collation_name, is_identity, identity_generation
FROM information_schema.columns WHERE table_schema = 'public'
"""
TABLES_SQL = """
SELECT table_name FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
"""
CONSTRAINTS_SQL = """
SELECT c.conrelid::regclass::text AS tbl, c.contype, c.conname,
       (SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(n, ord)
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n) AS cols,
       c.confrelid::regclass::text AS to_table,
       (SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k(n, ord)
        JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n) AS to_cols,
       c.confdeltype
FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
WHERE n.nspname = 'public'
"""
INDEXES_SQL = """
SELECT t.relname AS tbl, i.relname AS name, x.indisunique AS is_unique,
       pg_get_expr(x.indpred, x.indrelid) AS pred,
       (SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(n, ord)
        JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n) AS cols,
       EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) AS backs_constraint
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = 'public'
"""

ON_DELETE = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


def pg_schema(url):
    tables = {}
    for r in pg_json(url, TABLES_SQL):
        tables[r["table_name"]] = dict(cols={}, pk=(), fks=[], uniques=set(), indexes={}, checks=0)
    for r in pg_json(url, COLUMNS_SQL):
        tables[r["table_name"]]["cols"][r["column_name"]] = r
    for r in pg_json(url, CONSTRAINTS_SQL):
        t = tables[r["tbl"]]
        cols = tuple(r["cols"] or ())
        if r["contype"] == "p":
            t["pk"] = cols
        elif r["contype"] == "u":
            t["uniques"].add(cols)
        elif r["contype"] == "c":
            t["checks"] += 1
        elif r["contype"] == "f":
            t["fks"].append(
                (cols, r["to_table"], tuple(r["to_cols"]), ON_DELETE[r["confdeltype"]])
            )
    for r in pg_json(url, INDEXES_SQL):
        if not r["backs_constraint"]:
            tables[r["tbl"]]["indexes"][r["name"]] = dict(
                cols=tuple(r["cols"] or ()), unique=r["is_unique"], pred=r["pred"]
            )
    return tables


# ---------------------------------------------------------------- the rules


def expected_type(table, col):
    """(data_type, collation) PostgreSQL should have for a SQLite column."""
    key, declared = (table, col["name"]), col["type"]
    if declared == "INTEGER":
        if key in FLAGS:
            return "boolean", None
        if key in INT4:
            return "integer", None
        return "bigint", None
    if declared == "TEXT":
        bytewise = col["name"].endswith("_at") or key in BYTEWISE
        return "text", "C" if bytewise else None
    if declared == "BLOB":
        return "bytea", None
    return None, None


LITERAL = re.compile(r"^(-?\d+(\.\d+)?|'([^']|'')*'|NULL)$", re.I)


def shape(text):
    """A value with its digits blotted out: what a time default looks like, not when it ran."""
    return re.sub(r"\d", "9", str(text))


def compare_default(table, name, pg_type, sqlite_default, pg_default, sqlite_db, pg_url):
    if sqlite_default is None and pg_default is None:
        return
    if sqlite_default is None or pg_default is None:
        problem(table, f"{name}: default {sqlite_default!r} in SQLite, {pg_default!r} in PostgreSQL")
        return
    s = sqlite_default.strip()
    while s.startswith("(") and s.endswith(")"):
        s = s[1:-1].strip()
    if LITERAL.match(s):
        want = s
        if pg_type == "boolean":
            want = {"0": "false", "1": "true"}.get(s, s)
        got = re.sub(r"::[a-z ]+$", "", pg_default.strip())
        if got != want:
            problem(table, f"{name}: default {sqlite_default} in SQLite, {pg_default} in PostgreSQL")
        return
    # An expression (a clock): both must produce text of the same form.
    (s_value,) = sqlite_db.execute(f"SELECT {s}").fetchone()
    p_value = psql(pg_url, sql=f"SELECT {pg_default}").strip()
    if shape(s_value) != shape(p_value):
        problem(table, f"{name}: default gives {s_value!r} in SQLite, {p_value!r} in PostgreSQL")


def normalise_predicate(pred, table):
    if pred is None:
        return None
    p = pred.lower()
    p = re.sub(r"::[a-z]+(\[\])?", "", p)
    # PostgreSQL writes `x IN ('a', 'b')` as `x = ANY (ARRAY['a', 'b'])`.
    p = re.sub(r"=\s*any\s*\(\s*array\s*\[([^\]]*)\]\s*\)", r"in (\1)", p)
    # A flag: SQLite's `paid = 1` is PostgreSQL's `paid`.
    for t, flag in FLAGS:
        if t == table:
            p = re.sub(rf"\b{flag}\s*=\s*1\b", flag, p)
            p = re.sub(rf"\b{flag}\s*=\s*0\b", f"not {flag}", p)
    p = p.replace("(", " ").replace(")", " ")
    return " ".join(p.split())


def compare_table(table, s, p, sqlite_db, pg_url):
    pg_cols = p["cols"]
    # Columns.
    for col in s["cols"]:
        name = col["name"]
        got = pg_cols.get(name)
        if got is None:
            problem(table, f"column {name} is missing in PostgreSQL")
            continue
        want_type, want_coll = expected_type(table, col)
        if want_type is None:
            problem(table, f"{name}: no rule for SQLite type {col['type']!r}; add one to expected_type")
            continue
        if got["data_type"] != want_type:
            hint = " (a 0/1 flag? list it in FLAGS)" if got["data_type"] == "boolean" else ""
            hint = " (read as i32? list it in INT4)" if got["data_type"] == "integer" else hint
            problem(table, f"{name}: SQLite {col['type']} should be {want_type}, is {got['data_type']}{hint}")
        if got["collation_name"] != want_coll:
            problem(table, f"{name}: collation should be {want_coll or 'the default'}, is {got['collation_name'] or 'the default'}")
        # SQLite lets a non-integer primary key hold NULL unless it says NOT NULL; PostgreSQL never.
        want_notnull = col["notnull"] or col["pk"] > 0
        if (got["is_nullable"] == "NO") != want_notnull:
            problem(table, f"{name}: NOT NULL is {want_notnull} in SQLite, {got['is_nullable'] == 'NO'} in PostgreSQL")
        rowid_alias = col["pk"] == 1 and len(s["pk"]) == 1 and col["type"] == "INTEGER"
        want_identity = "BY DEFAULT" if rowid_alias and (table, name) not in TELEGRAM_IDS else None
        got_identity = got["identity_generation"] if got["is_identity"] == "YES" else None
        if got_identity != want_identity:
            problem(table, f"{name}: identity should be {want_identity}, is {got_identity}")
        if got_identity is None:
            compare_default(table, name, got["data_type"], col["default"], got["column_default"], sqlite_db, pg_url)
    # PostgreSQL's own columns.
    for name, got in pg_cols.items():
        if any(c["name"] == name for c in s["cols"]):
            continue
        want = PG_ONLY_COLUMNS.get((table, name))
        if want is None:
            problem(table, f"column {name} exists only in PostgreSQL; add it to SQLite or to PG_ONLY_COLUMNS")
        else:
            check_pg_only_column(table, name, got, want)
    # Order of the shared columns.
    shared = [c["name"] for c in s["cols"] if c["name"] in pg_cols]
    pg_order = sorted(shared, key=lambda n: pg_cols[n]["ordinal_position"])
    if shared != pg_order:
        problem(table, f"column order differs: SQLite {shared}, PostgreSQL {pg_order}")
    # Keys and constraints.
    if s["pk"] != p["pk"]:
        problem(table, f"primary key {s['pk']} in SQLite, {p['pk']} in PostgreSQL")
    pg_uniques = {u for u in p["uniques"] if (table, u) not in PG_ONLY_UNIQUE}
    if s["uniques"] != pg_uniques:
        problem(table, f"unique constraints {sorted(s['uniques'])} in SQLite, {sorted(pg_uniques)} in PostgreSQL")
    s_fks = sorted(
        (tuple(f["cols"]), f["to_table"], tuple(f["to_cols"]), f["on_delete"]) for f in s["fks"].values()
    )
    if s_fks != sorted(p["fks"]):
        problem(table, f"foreign keys {s_fks} in SQLite, {sorted(p['fks'])} in PostgreSQL")
    if s["checks"] != p["checks"]:
        problem(table, f"{s['checks']} CHECK constraints in SQLite, {p['checks']} in PostgreSQL")
    # Indexes, by name.
    for name, si in s["indexes"].items():
        pi = p["indexes"].get(name)
        if pi is None:
            problem(table, f"index {name} is missing in PostgreSQL")
            continue
        if si["cols"] != pi["cols"]:
            problem(table, f"index {name}: columns {si['cols']} in SQLite, {pi['cols']} in PostgreSQL")
        if si["unique"] != pi["unique"]:
            problem(table, f"index {name}: unique {si['unique']} in SQLite, {pi['unique']} in PostgreSQL")
        sp, pp = normalise_predicate(si["pred"], table), normalise_predicate(pi["pred"], table)
        if sp != pp:
            problem(table, f"index {name}: WHERE {si['pred']} in SQLite, WHERE {pi['pred']} in PostgreSQL")
    for name in p["indexes"]:
        if name not in s["indexes"] and name not in PG_ONLY_INDEXES:
            problem(table, f"index {name} exists only in PostgreSQL; add it to SQLite or to PG_ONLY_INDEXES")


def check_pg_only_column(table, name, got, want):
    data_type, collation, nullable, identity = want
    got_identity = got["identity_generation"] if got["is_identity"] == "YES" else None
    actual = (got["data_type"], got["collation_name"], got["is_nullable"] == "YES", got_identity)
    if actual != want:
        problem(table, f"{name} (PostgreSQL only): expected {want}, found {actual}")


def main():
    global PSQL
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        sys.exit(
            "TEST_DATABASE_URL is not set: point it at a PostgreSQL cluster, e.g.\n"
            "  export \"$(bash scripts/postgres-test-cluster.sh start)\"\n"
            "  python3 scripts/compare-schemas.py"
        )
    PSQL = find_psql()

    sqlite_folder, sqlite_files, sqlite_db, s_schema = sqlite_schema()
    pg_files = sorted(glob.glob(os.path.join(ROOT, "migrations", "postgres", "*.sql")))
    if not pg_files:
        sys.exit("no PostgreSQL migrations in migrations/postgres")

    scratch = f"schema_compare_{os.getpid()}"
    psql(url, sql=f"CREATE DATABASE {scratch}")
    scratch_url = with_database(url, scratch)
    try:
        for path in pg_files:
            psql(scratch_url, "-1", "-f", path)
        p_schema = pg_schema(scratch_url)
        print(
            f"SQLite: {len(sqlite_files)} migrations from {os.path.relpath(sqlite_folder, ROOT)}/; "
            f"PostgreSQL: {len(pg_files)} from migrations/postgres/"
        )
        for table in sorted(s_schema):
            before = len(problems)
            if table not in p_schema:
                problem(table, "table is missing in PostgreSQL")
            else:
                compare_table(table, s_schema[table], p_schema[table], sqlite_db, scratch_url)
            status = "ok  " if len(problems) == before else "DIFF"
            s = s_schema[table]
            print(f"{status} {table}: {len(s['cols'])} columns, {len(s['indexes'])} indexes")
        for table in sorted(set(p_schema) - set(s_schema)):
            want = PG_ONLY_TABLES.get(table)
            if want is None:
                problem(table, "table exists only in PostgreSQL; add it to SQLite or to PG_ONLY_TABLES")
                continue
            before = len(problems)
            cols = p_schema[table]["cols"]
            if set(cols) != set(want):
                problem(table, f"columns {sorted(cols)}, expected {sorted(want)}")
            for name, got in cols.items():
                if name in want:
                    check_pg_only_column(table, name, got, want[name])
            status = "ok  " if len(problems) == before else "DIFF"
            print(f"{status} {table}: PostgreSQL only, {len(cols)} columns")
    finally:
        psql(url, sql=f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")

    if problems:
        print(f"\n{len(problems)} differences:")
        for line in problems:
            print(f"  {line}")
        sys.exit(1)
    print("the schemas agree")


if __name__ == "__main__":
    main()
