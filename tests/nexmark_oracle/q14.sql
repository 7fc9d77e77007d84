-- columns: auction bidder price bidTimeType dateTime extra c_counts
-- HOUR in UTC; count_char(extra, 'c') as the length lost by removing 'c's.
WITH b AS (
  SELECT *, CAST(strftime('%H', dateTime / 1000, 'unixepoch') AS INTEGER) AS h
  FROM bid
)
SELECT auction, bidder, round(0.908 * price, 3) AS price,
  CASE WHEN h >= 8 AND h <= 18 THEN 'dayTime'
       WHEN h <= 6 OR h >= 20 THEN 'nightTime'
       ELSE 'otherTime' END AS bidTimeType,
  dateTime, extra, length(extra) - length(replace(extra, 'c', '')) AS c_counts
FROM b WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000;
