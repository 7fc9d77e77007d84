-- columns: auction bidder price dateTime extra
SELECT auction, bidder, price, dateTime, extra FROM bid;
