-- columns: auction bidder price channel channel_id
-- REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2) by hand: the text
-- after '&channel_id=' (or a leading 'channel_id=') up to the next '&'.
WITH b AS (
  SELECT *, CASE
      WHEN url LIKE 'channel_id=%' THEN substr(url, 12)
      WHEN instr(url, '&channel_id=') > 0
        THEN substr(url, instr(url, '&channel_id=') + 12)
    END AS rest
  FROM bid
), c AS (
  SELECT *, CASE WHEN instr(rest, '&') > 0
      THEN substr(rest, 1, instr(rest, '&') - 1) ELSE rest END AS cid
  FROM b
)
SELECT auction, bidder, price, channel,
  CASE WHEN lower(channel) = 'apple' THEN '0'
       WHEN lower(channel) = 'google' THEN '1'
       WHEN lower(channel) = 'facebook' THEN '2'
       WHEN lower(channel) = 'baidu' THEN '3'
       ELSE cid END AS channel_id
FROM c WHERE cid IS NOT NULL
  OR lower(channel) IN ('apple', 'google', 'facebook', 'baidu');
