"""The PostgreSQL the tests start is a real server that answers SQL."""

import psycopg

from tests.support.postgres import PostgresServer


def test_postgres_server_answers(postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database()
    try:
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(
            host=postgres_server.host, port=postgres_server.port,
            user=postgres_server.user, dbname=name,
        ) as conn:  # fmt: skip
            version = conn.execute("SHOW server_version").fetchone()
            assert version is not None
            assert int(version[0].split(".")[0]) >= 13
    finally:
        postgres_server.drop_database(url)
