-- columns: auction bidder price dateTime extra
WITH B1 AS (
  SELECT max(price) AS maxprice, dateTime / 10000 * 10000 + 10000 AS dateTime
  FROM bid GROUP BY dateTime / 10000
)
SELECT B.auction, B.bidder, B.price, B.dateTime, B.extra
FROM bid B JOIN B1 ON B.price = B1.maxprice
WHERE B.dateTime BETWEEN B1.dateTime - 10000 AND B1.dateTime;
