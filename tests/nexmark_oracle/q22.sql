-- columns: auction bidder price channel dir1 dir2 dir3
-- SPLIT_INDEX(url, '/', i): the pieces of the url between slashes,
-- numbered from 0, by a recursive split.
WITH RECURSIVE b AS (
  SELECT row_number() OVER () AS r, auction, bidder, price, channel, url
  FROM bid
), parts(r, i, piece, rest) AS (
  SELECT r, -1, NULL, url || '/' FROM b
  UNION ALL
  SELECT r, i + 1, substr(rest, 1, instr(rest, '/') - 1),
    substr(rest, instr(rest, '/') + 1)
  FROM parts WHERE rest <> '' AND i < 5
)
SELECT auction, bidder, price, channel,
  (SELECT piece FROM parts p WHERE p.r = b.r AND p.i = 3) AS dir1,
  (SELECT piece FROM parts p WHERE p.r = b.r AND p.i = 4) AS dir2,
  (SELECT piece FROM parts p WHERE p.r = b.r AND p.i = 5) AS dir3
FROM b;
