"""Nightly report: orders per status, read by the finance dashboard every minute."""

ORDERS_BY_STATUS = """
SELECT status, count(*) AS orders
FROM orders
WHERE status <> 'archived'
GROUP BY status
ORDER BY orders DESC
"""


def run(connection):
    return connection.execute(ORDERS_BY_STATUS).fetchall()
