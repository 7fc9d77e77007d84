-- columns: auction bidder price dateTime extra
SELECT auction, bidder, round(0.908 * price, 3) AS price, dateTime, extra FROM bid;
