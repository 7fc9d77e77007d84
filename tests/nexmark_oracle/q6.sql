-- columns: seller avg_price
-- An auction closes when its session of bids does, a fixed gap after its
-- last bid: the rows of a seller are in order of last bid, then first bid
-- (q6.yaml), ten of them.
WITH Q AS (
  SELECT A.id, A.seller, MAX(B.price) AS final,
         MIN(B.dateTime) AS first, MAX(B.dateTime) AS last
  FROM auction A, bid B
  WHERE A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires
  GROUP BY A.id, A.seller)
SELECT seller, AVG(final) OVER (PARTITION BY seller ORDER BY last, first
                                ROWS BETWEEN 9 PRECEDING AND CURRENT ROW)
       AS avg_price
FROM Q;
