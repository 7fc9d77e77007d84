-- columns: dt hm auction bidder price dateTime extra
-- dt and hm are the partition of the file a row is in (the test reads
-- them from its path).
SELECT strftime('%Y-%m-%d', dateTime / 1000, 'unixepoch') AS dt,
       strftime('%H:%M', dateTime / 1000, 'unixepoch') AS hm,
       auction, bidder, price, dateTime, extra
FROM bid;
