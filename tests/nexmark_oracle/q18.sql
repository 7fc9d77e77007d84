-- columns: auction bidder price channel url dateTime extra
-- Of bids with the same dateTime, the later in the stream is the last.
SELECT auction, bidder, price, channel, url, dateTime, extra FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, auction
                               ORDER BY dateTime DESC, _n DESC) AS rank_number
  FROM bid)
WHERE rank_number <= 1;
