-- columns: bidder bid_count starttime endtime
-- SESSION(dateTime, 10 s) per bidder: a bid more than 10 s after the
-- bidder's previous one starts a new session, which ends 10 s after its
-- last bid.
WITH b AS (
  SELECT bidder, dateTime,
    CASE WHEN dateTime - lag(dateTime) OVER w <= 10000 THEN 0 ELSE 1 END AS new
  FROM bid WINDOW w AS (PARTITION BY bidder ORDER BY dateTime)
), s AS (
  SELECT bidder, dateTime, sum(new) OVER (PARTITION BY bidder ORDER BY dateTime
    ROWS UNBOUNDED PRECEDING) AS session FROM b
)
SELECT bidder, count(*) AS bid_count, min(dateTime) AS starttime,
  max(dateTime) + 10000 AS endtime
FROM s GROUP BY bidder, session;
