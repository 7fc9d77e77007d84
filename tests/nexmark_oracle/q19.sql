-- columns: auction bidder price channel url dateTime extra rank_number
-- Of bids at one price, the earlier ranks first, then the first in the
-- stream.
SELECT * FROM (
  SELECT auction, bidder, price, channel, url, dateTime, extra,
         ROW_NUMBER() OVER (PARTITION BY auction
                            ORDER BY price DESC, dateTime ASC, _n ASC)
         AS rank_number
  FROM bid)
WHERE rank_number <= 10;
