-- columns: auction day total_bids rank1_bids rank2_bids rank3_bids min_price max_price avg_price sum_price
-- avg_price: the exact mean (Flink's AVG of a BIGINT truncates it).
SELECT auction, strftime('%Y-%m-%d', dateTime / 1000, 'unixepoch') AS day,
  count(*) AS total_bids,
  count(*) FILTER (WHERE price < 10000) AS rank1_bids,
  count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
  count(*) FILTER (WHERE price >= 1000000) AS rank3_bids,
  min(price) AS min_price, max(price) AS max_price,
  avg(price) AS avg_price, sum(price) AS sum_price
FROM bid GROUP BY auction, day;
