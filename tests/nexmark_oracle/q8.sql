-- columns: id name starttime
WITH P AS (
  SELECT id, name, dateTime / 10000 * 10000 AS starttime FROM person
  GROUP BY id, name, starttime
), A AS (
  SELECT seller, dateTime / 10000 * 10000 AS starttime FROM auction
  GROUP BY seller, starttime
)
SELECT P.id, P.name, P.starttime FROM P JOIN A
  ON P.id = A.seller AND P.starttime = A.starttime;
