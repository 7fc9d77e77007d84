-- columns: bidder bid_count
-- Processing-time windows depend on when events are read: the oracle is
-- each bidder's total, which the windows' counts must add up to.
SELECT bidder, count(*) AS bid_count FROM bid GROUP BY bidder;
