-- columns: auction num
-- HOP(bid, dateTime, 2 s, 10 s): the windows [s, s + 10 s) with s a
-- multiple of 2 s and s <= dateTime < s + 10 s.
WITH k(k) AS (VALUES (0), (1), (2), (3), (4)),
hop AS (
  SELECT auction, dateTime / 2000 * 2000 - k * 2000 AS starttime FROM bid, k
),
AuctionBids AS (
  SELECT auction, count(*) AS num, starttime FROM hop
  GROUP BY auction, starttime
),
MaxBids AS (
  SELECT max(num) AS maxn, starttime FROM AuctionBids GROUP BY starttime
)
SELECT A.auction, A.num FROM AuctionBids A JOIN MaxBids M
  ON A.starttime = M.starttime AND A.num >= M.maxn;
